// Small toy programs for exercising the simulated kernel (not the Unit model).

import type { Continuation, Errno, Json, Kernel, Sys } from "../../lifecycle/kernel.ts";
import type { Program } from "../../lifecycle/program.ts";
import { Sim, type SimOptions } from "../../sim/index.ts";

/** A process's state in toy programs: a plain object the handlers mutate. */
export type ToyState = { [key: string]: Json };

/** A toy handler: a generator (its kernel calls are scheduling points) or a plain function. */
export type Handler = (k: Kernel, state: ToyState, arg: Json) => void | Sys<void>;

export function toyProgram(handlers: Record<string, Handler>): Program {
  return {
    *run(ctx, work) {
      const handler = handlers[work.fn];
      if (handler === undefined) throw new Error(`no handler ${work.fn}`);
      const ran = handler(ctx.k, ctx.state as ToyState, work.arg);
      if (ran !== undefined) yield* ran;
    },
  };
}

/**
 * Makes a kernel call at once, inside the caller's step, ignoring its scheduling point: for
 * tests of what a call does, not of how calls interleave.
 */
export function now<T>(call: Sys<T>): T {
  for (;;) {
    const r = call.next();
    if (r.done === true) return r.value;
  }
}

export function cont(fn: string, arg: Json = null): Continuation {
  return { fn, arg };
}

/** A Sim running `handlers`, with one root process (uid 0 unless given) starting at `main`. */
export function toySim(
  handlers: Record<string, Handler>,
  options: Partial<SimOptions> = {},
  creds: { uid: number; gid: number; groups?: number[] } = { uid: 0, gid: 0 },
): { sim: Sim; main: number } {
  const sim = new Sim(toyProgram(handlers), { seed: 1, ...options });
  const main = sim.spawn({}, cont("main"), creds);
  return { sim, main };
}

/** Runs one-shot code as the process's first work and returns what it recorded. */
export function facts(sim: Sim, pid: number) {
  const f = sim.processes().find((p) => p.pid === pid);
  if (f === undefined) throw new Error(`no process ${pid}`);
  return f;
}

/** A call's Errno-or-nothing result as plain data: null on success, {errno} on failure. */
export function res(r: Errno | undefined): Json {
  return r === undefined ? null : { errno: r.errno };
}

/** Appends a value to a list kept in the toy state. */
export function push(state: ToyState, key: string, value: Json): void {
  const list = (state[key] ??= []) as Json[];
  list.push(value);
}

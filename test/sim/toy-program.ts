// Toy programs: handler tables run as a Program (no simulator here, so that the real
// backend's bundle of the litmus programs does not pull the simulated kernel in).

import type { Continuation, Errno, Json, Kernel, Sys } from "../../lifecycle/kernel.ts";
import type { Program } from "../../lifecycle/program.ts";

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

export function cont(fn: string, arg: Json = null): Continuation {
  return { fn, arg };
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

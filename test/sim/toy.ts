// Small toy programs for exercising the simulated kernel (not the Unit model).

import type { Sys } from "../../lifecycle/kernel.ts";
import { Sim, type SimOptions } from "../../sim/index.ts";
import { cont, toyProgram, type Handler } from "./toy-program.ts";

export { cont, push, res, toyProgram, type Handler, type ToyState } from "./toy-program.ts";

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

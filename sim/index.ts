// The simulated kernel's public API.
//
// A `Sim` runs a `Program` (lifecycle/program.ts) as simulated Linux processes, one
// `Kernel` object per process, under a seeded, replayable schedule:
// - every decision is a recorded choice (`sim.choices`); `options.replay` replays it;
// - time is virtual (`msPerStep` per step; idle time jumps to the next timer or action);
// - every kernel call, model fact, signal, exit, reap, fault and harness action is a
//   `TraceEvent` (`sim.trace`, `traceJsonl()`, `traceHash()`).
//
// Scheduling follows Unit's event engine per process: queued work (clone continuation,
// post()) runs before anything else of that process; then pending signals, readable
// watched fds and due timers are all offered. Default-action (terminating) signals are
// offered at any time. Choices among one alternative are not recorded, and fault choices
// exist only for non-zero rates, so a schedule replays under the same options.

export { Sim } from "./sim.ts";
export type { RunResult, SimOptions, StepObserver } from "./sim-options.ts";
export type { ProcessFacts } from "./facts.ts";
export { FAULT_KINDS, noFaults, type FaultRates } from "./faults.ts";
export { Chooser, FAULT_YES, Prng, uniformPolicy, type ChoicePolicy } from "./random.ts";
export type { ProcFs } from "./procfs.ts";

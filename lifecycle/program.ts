// What a backend runs: the lifecycle model as a table of named entry points.
// A backend keeps each process's plain-data state and calls `run` for every continuation
// it schedules (the child side of clone, posted work, signal handlers, read readiness).

import type { Continuation, Json, Kernel, Sys } from "./kernel.ts";

export interface ProcessContext {
  /** The process's whole plain-data state (Unit's globals and runtime). Mutated in place. */
  readonly state: Json;
  readonly k: Kernel;
}

export interface Program {
  /** A generator: the backend drives it from one scheduling point to the next. */
  run(process: ProcessContext, work: Continuation): Sys<void>;
  /**
   * A deep copy of a clone() image, for a backend that copies in memory: the program knows
   * its state's shape and copies it faster than a generic walk. Without it, copyPlain.
   */
  copyImage?(image: Json): Json;
  /**
   * A deep copy of a message's data (at send and at receive), for the same reason: the program
   * knows its messages' shape. Without it, copyPlain.
   */
  copyMessage?(data: Json): Json;
}

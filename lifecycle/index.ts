// The lifecycle model as a Program a backend runs.

import type { Ctx } from "./context.ts";
import type { Continuation, Sys } from "./kernel.ts";
import type { Program, ProcessContext } from "./program.ts";
import { runNamed } from "./registry.ts";
import type { UnitGlobals } from "./state.ts";

export const lifecycleProgram: Program = {
  *run(process: ProcessContext, work: Continuation): Sys<void> {
    const ctx: Ctx = { s: process.state as unknown as UnitGlobals, k: process.k };
    yield* runNamed(ctx, work.fn, work.arg);
  },
};

export { unitdImage, type UnitdBoot } from "./boot.ts";
export const UNITD_ENTRY: Continuation = { fn: "unitdMain", arg: null };

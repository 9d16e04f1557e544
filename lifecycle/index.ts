// The lifecycle model as a Program a backend runs.

import type { Ctx } from "./context.ts";
import type { Continuation, Json, Sys } from "./kernel.ts";
import { copyPortMsg, forkImage } from "./fork-image.ts";
import type { Program, ProcessContext } from "./program.ts";
import { runNamed } from "./registry.ts";
import type { PortMsg, UnitGlobals } from "./state.ts";

export const lifecycleProgram: Program = {
  // The named function's own generator, not one delegating to it: every resume of a handler
  // would otherwise pass through one more level.
  run(process: ProcessContext, work: Continuation): Sys<void> {
    const ctx: Ctx = { s: process.state as unknown as UnitGlobals, k: process.k };
    return runNamed(ctx, work.fn, work.arg) as Sys<void>;
  },
  copyImage(image: Json): Json {
    return forkImage(image as unknown as UnitGlobals) as unknown as Json;
  },
  // Every message the model sends is a PortMsg (port-socket.ts, app.ts, the repairs).
  copyMessage(data: Json): Json {
    return copyPortMsg(data as unknown as PortMsg) as unknown as Json;
  },
};

export { unitdImage, type UnitdBoot } from "./boot.ts";
export const UNITD_ENTRY: Continuation = { fn: "unitdMain", arg: null };

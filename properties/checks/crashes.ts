// No C-level hazard, and no bug of the model itself, in any run.

import type { Check } from "../check.ts";

export const noCrash: Check = {
  name: "no-crash",
  claim: "no process aborts (failed assert, NULL handler, double unlink, use after release)",
  check: (run) =>
    run.trace.flatMap((e) =>
      e.kind === "crash" ? [{ check: "no-crash", reason: `${e.ptype || "process"} ${e.pid} crashed: ${e.reason}`, step: e.step }] : [],
    ),
};

export const noInternalError: Check = {
  name: "no-internal-error",
  claim: "the model itself never throws (an exception would be a bug of nxtsim, not of Unit)",
  check: (run) =>
    run.trace.flatMap((e) =>
      e.kind === "internal-error" ? [{ check: "no-internal-error", reason: e.message, step: e.step }] : [],
    ),
};

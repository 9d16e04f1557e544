// The process tables (reference 3.2, invariants I1 and I2).

import type { Check, Violation } from "../check.ts";

export const everyAddSucceeds: Check = {
  name: "every-add-succeeds",
  claim: "every nxt_runtime_process_add succeeds: table keys never collide",
  check: (run) =>
    run.trace.flatMap((e) =>
      e.kind === "model" && e.event.what === "table" && e.event.op === "add-failed"
        ? [{ check: "every-add-succeeds", reason: `${e.ptype} ${e.pid}: add of pid ${e.event.pid} failed (key taken)`, step: e.step }]
        : [],
    ),
};

export const releasedOnce: Check = {
  name: "released-once",
  claim: "every process record is released at most once",
  check: (run) => {
    const seen = new Set<string>();
    const out: Violation[] = [];
    for (const e of run.trace) {
      if (e.kind !== "model" || e.event.what !== "table" || e.event.op !== "release") continue;
      const key = `${e.pid}/${e.event.oid}`;
      if (seen.has(key)) out.push({ check: "released-once", reason: `${e.ptype} ${e.pid}: record #${e.event.oid} released twice`, step: e.step });
      seen.add(key);
    }
    return out;
  },
};

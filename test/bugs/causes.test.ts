// The causes of the default model's findings (properties/causes.ts), one per fix option:
// every fix of KNOWN_FIXES has a cause and a recorded run (fixtures/causes/<fix>.json) in
// which the model shows the violation, and the replay with the fix on (the same scenario,
// seed, faults and other switches) does not, nor any violation the run did not have.

import { describe, expect, it } from "vitest";

import { listCauseFiles, loadCauseRun } from "../../harness/cause-files.ts";
import { failuresOf, stillFails } from "../../harness/fix-replay.ts";
import { KNOWN_FIXES } from "../../lifecycle/options.ts";
import { CAUSES } from "../../properties/causes.ts";

describe("every fix has a cause", () => {
  it("properties/causes.ts and fixtures/causes/ name exactly the fixes of KNOWN_FIXES", () => {
    expect(Object.keys(CAUSES).sort()).toEqual([...KNOWN_FIXES].sort());
    expect(listCauseFiles()).toEqual([...KNOWN_FIXES].sort());
  });

  it.each([...KNOWN_FIXES])("%s: a title, a mechanism in Unit's code, and what the fix changes", (fix) => {
    const cause = CAUSES[fix];
    expect(cause.title.length).toBeGreaterThan(20);
    expect(cause.mechanism).toMatch(/nxt_\w+/);
    expect(cause.mechanism).toMatch(/src\/nxt_\w+\.c/);
    expect(cause.fix.length).toBeGreaterThan(20);
    expect(cause.kind).toBe(fix === "633" ? "upstream" : "repair");
  });
});

describe.each(listCauseFiles())("cause %s", (fix) => {
  const c = loadCauseRun(fix);
  const options = { seed: c.seed, faults: c.faults, fixes: c.fixes, mutants: c.mutants, ...(c.unit === undefined ? {} : { unit: c.unit }) };
  const violation = { check: c.check, reason: c.reason };

  it(`its run fails ${c.check} with the recorded reason, and the replay with the fix does not, with no new violation`, () => {
    const original = failuresOf(c.scenario, options);
    expect(original, `the run no longer shows it; it has ${JSON.stringify(original)}`).toContainEqual(violation);
    const fixed = failuresOf(c.scenario, { ...options, fixes: [...c.fixes, fix] });
    expect(stillFails(fixed, violation)).toBe(false);
    expect(fixed.filter((f) => !stillFails(original, f))).toEqual([]);
  });
});

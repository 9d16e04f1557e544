// Shrinking knows the dynamic process count: a request load loses requests and an object
// `processes` loses max and spare, one at a time, while the run still fails the same check.

import { expect, it } from "vitest";
import { scenarioJson } from "../../catalog/bugs.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { shrinkRun } from "../../properties/shrink.ts";
import { faultRates } from "../../sim/faults.ts";
import { shipped } from "../lifecycle/helpers.ts";

it("a run past max (router-ignores-max) shrinks to one request and max 1", () => {
  const scenario = scenarioJson(shipped("dynamic-processes")) as unknown as Json;
  const shrunk = shrinkRun({ scenario, seed: 1, faults: faultRates({}), fixes: ["633"], mutants: ["router-ignores-max"], check: "processes-within-max" });
  const s = shrunk.scenario as { config: { applications: Record<string, { processes: Record<string, number> }> }; actions: Record<string, Json>[] };
  // b has nothing to do with it; a keeps max 1 and one request, which its spare process takes, so the router starts a second.
  expect(Object.keys(s.config.applications)).toEqual(["a"]);
  expect(s.config.applications["a"]!.processes).toMatchObject({ max: 1, spare: 1 });
  expect(s.actions).toHaveLength(1);
  expect(s.actions[0]!["count"]).toBe(1);
  expect(shrunk.violation.reason).toMatch(/runs 2 application processes at step \d+, more than its max 1/);
});

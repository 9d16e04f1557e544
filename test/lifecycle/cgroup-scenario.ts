// The Unit 1.35 scenario with an application in a cgroup (fixtures/unit-1.35/one-app-cgroup.json),
// loaded with 1.35's rules (c8d9106a rejects "isolation.cgroup"), optionally changed.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import type { Scenario } from "../../catalog/scenario.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { upstreamOf } from "../../harness/model-options.ts";
import { DEFAULT_LIMITS } from "../../catalog/limits.ts";

export const CGROUP_SCENARIO_FILE = fileURLToPath(new URL("../../fixtures/unit-1.35/one-app-cgroup.json", import.meta.url));

export function cgroupScenario(change: (json: Record<string, unknown>) => void = () => {}, unit = "1.35"): Scenario {
  const json = JSON.parse(readFileSync(CGROUP_SCENARIO_FILE, "utf8")) as Record<string, unknown>;
  change(json);
  const r = parseScenario(json, "one-app-cgroup", DEFAULT_LIMITS, upstreamOf({ unit }));
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

/** The application's isolation object, to change. */
export function appIsolation(json: Record<string, unknown>): Record<string, unknown> {
  return ((json["config"] as { applications: Record<string, Record<string, unknown>> }).applications["a"]!["isolation"]) as Record<string, unknown>;
}

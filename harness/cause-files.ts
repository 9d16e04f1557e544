// The evidence for each cause of properties/causes.ts: fixtures/causes/<fix>.json records a
// run (scenario, seed, faults, fixes, mutants) in which the model shows a violation (a check
// and its exact reason) that the replay with <fix> on does not (harness/fix-replay.ts).

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { BugFixture } from "../catalog/bugs.ts";
import { jsonFileNames, readJsonFile } from "../catalog/json-file.ts";
import type { Scenario } from "../catalog/scenario.ts";
import { parseScenario } from "../catalog/scenario-parse.ts";
import { scenarioByName } from "../catalog/shipped-scenarios.ts";
import { KNOWN_FIXES, KNOWN_MUTANTS, UNIT_VERSIONS } from "../lifecycle/options.ts";
import { FAULT_KINDS, faultRates, type FaultRates } from "../sim/faults.ts";
import { RUN_CHECKS } from "./checks.ts";
import { upstreamOf } from "./model-options.ts";

export const CAUSES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "causes");

const KEYS = ["fix", "scenario", "seed", "faults", "fixes", "mutants", "check", "reason"] as const;
/** Keys a file may leave out: "unit", the Unit version the run stands for (default c8d9106a), for a cause only a later version has. */
const OPTIONAL_KEYS = ["unit"] as const;

/** A recorded run as a bug fixture records one; `fixes` and `mutants` are on in the run and its replay. */
export interface CauseRun extends Pick<BugFixture, "scenario" | "seed" | "faults" | "fixes" | "mutants" | "check"> {
  /** The fix option whose cause the run shows (the file's name). */
  fix: string;
  scenarioName: string;
  /** The violation's exact reason. */
  reason: string;
  /** The Unit version of the run and its replay, when not c8d9106a. */
  unit?: string;
}

/** The fixes that have a cause file, sorted. */
export function listCauseFiles(): string[] {
  return jsonFileNames(CAUSES_DIR);
}

/** Reads and checks fixtures/causes/<fix>.json; a bad file throws one line naming it and the field. */
export function loadCauseRun(fix: string): CauseRun {
  const file = `fixtures/causes/${fix}.json`;
  const read = readJsonFile(join(CAUSES_DIR, `${fix}.json`), file);
  if (!read.ok) throw new Error(read.error);
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const o = read.json as Record<string, unknown>;
  if (typeof o !== "object" || o === null || Array.isArray(o)) bad("must be a JSON object");
  const allowed: readonly string[] = [...KEYS, ...OPTIONAL_KEYS];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`unknown key "${k}" (allowed: ${allowed.join(", ")})`);
  for (const k of KEYS) if (o[k] === undefined) bad(`${k}: is required`);
  const unit = o["unit"];
  if (unit !== undefined && (typeof unit !== "string" || !Object.hasOwn(UNIT_VERSIONS, unit))) bad(`unit: must be one of ${Object.keys(UNIT_VERSIONS).join(", ")}`);
  if (o["fix"] !== fix || !(KNOWN_FIXES as readonly string[]).includes(fix)) bad(`fix: must be the file's name and a fix of KNOWN_FIXES, got ${JSON.stringify(o["fix"])}`);
  // A shipped scenario's name, or a scenario object for a cause no shipped scenario shows (a second signal).
  // An inline scenario is read with the rules of the file's Unit version (1.35 accepts isolation.cgroup).
  const upstream = upstreamOf({ unit: unit as string | undefined });
  const scenario = typeof o["scenario"] === "string" ? scenarioByName(o["scenario"]) : parseScenario(o["scenario"], `${file} scenario`, undefined, upstream);
  if (!scenario.ok) bad(`scenario: ${scenario.error}`);
  const seed = o["seed"];
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) bad("seed: must be a non-negative integer");
  const faults = o["faults"] as Record<string, unknown>;
  if (typeof faults !== "object" || faults === null || Object.entries(faults).some(([k, r]) => !(FAULT_KINDS as readonly string[]).includes(k) || typeof r !== "number")) {
    bad("faults: must be an object of fault rates");
  }
  const names = (key: string, known: readonly string[]): string[] => {
    const v = o[key];
    if (!Array.isArray(v) || !v.every((x) => known.includes(x as string))) bad(`${key}: must be an array of names out of ${known.join(", ")}`);
    return [...(v as string[])];
  };
  const fixes = names("fixes", KNOWN_FIXES);
  if (fixes.includes(fix)) bad(`fixes: must not hold the file's own fix "${fix}"`);
  const check = String(o["check"]);
  if (!RUN_CHECKS.some((c) => c.name === check)) bad(`check: unknown check "${check}"`);
  if (typeof o["reason"] !== "string" || o["reason"] === "") bad("reason: must be the violation's exact reason");
  return {
    fix,
    scenarioName: (scenario as { scenario: Scenario }).scenario.name,
    scenario: (scenario as { scenario: Scenario }).scenario,
    seed: seed as number,
    faults: faultRates(faults as Partial<FaultRates>),
    fixes,
    mutants: names("mutants", KNOWN_MUTANTS),
    check,
    reason: o["reason"] as string,
    ...(unit === undefined ? {} : { unit: unit as string }),
  };
}

// A repro file: everything that replays one run exactly (scenario, seed, fault rates, model
// options and, for generated or shrunk runs, the recorded schedule). Written when the
// property suite or the shrinker finds a failure; read by `nxtsim replay --repro FILE`.

import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readJsonFile } from "../catalog/json-file.ts";
import { join, resolve } from "node:path";
import type { Scenario } from "../catalog/scenario.ts";
import { parseScenario } from "../catalog/scenario-parse.ts";
import { checkDepth, DEFAULT_LIMITS, type ScenarioLimits } from "../catalog/limits.ts";
import { isProblem } from "../catalog/problem.ts";
import type { Json } from "../lifecycle/kernel.ts";
import { FAULT_KINDS, noFaults, type FaultRates } from "../sim/index.ts";
import { pctParamsProblem, policyFor, RANDOM, RUN_STRATEGY_NAMES, type RunStrategy } from "../sim/strategies/index.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { UsageError, unitVersion, upstreamOf } from "./model-options.ts";
import { DEFAULT_UNIT, UNIT_VERSIONS } from "../lifecycle/options.ts";
import { parseSeed } from "./explore-seeds.ts";
import { runScenarioOnSim, type SimRun } from "./run-sim.ts";

export interface Repro {
  nxtsim: "repro/1";
  scenario: Json;
  seed: number | string;
  faults: FaultRates;
  fixes: string[];
  mutants: string[];
  /** The run's recorded choices; null replays from the seed alone. */
  schedule: number[] | null;
  /** The check it fails, when it was written for a failure. */
  check: string | null;
  /** How the run's choices were made; only needed without a schedule. Optional in files (default random). */
  strategy?: RunStrategy;
  /** The Unit version run (--unit); absent in files of c8d9106a, so those stay as they were. */
  unit?: string;
}

export const REPRO_DIR = "results";

/** Writes a repro under results/ (name from its content) and returns the relative path. */
export function writeRepro(repro: Repro, dir = REPRO_DIR): string {
  // random is written as no key at all, so files of random runs stay as they always were.
  // c8d9106a is written as no "unit" key at all, likewise.
  const { unit, ...withoutUnit } = repro;
  const { strategy, ...rest } = withoutUnit;
  const kept = strategy === undefined || strategy.name === "random" ? rest : withoutUnit;
  const text = JSON.stringify(unit === undefined || unit === DEFAULT_UNIT ? kept : { ...kept, unit }) + "\n";
  const name = `repro-${createHash("sha256").update(text).digest("hex").slice(0, 12)}.json`;
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, name), text);
  return join(dir, name);
}

export function reproCommand(path: string): string {
  return `npx nxtsim replay --repro ${path}`;
}

const KEYS = ["nxtsim", "scenario", "seed", "faults", "fixes", "mutants", "schedule", "check", "strategy", "unit"];

function strategyOf(path: string, v: unknown): RunStrategy {
  if (v === undefined) return RANDOM;
  const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  if (!(RUN_STRATEGY_NAMES as readonly unknown[]).includes(o["name"])) throw new UsageError(`${path}: strategy.name must be one of ${RUN_STRATEGY_NAMES.join(", ")}`);
  if (o["name"] !== "pct") return { name: o["name"] as "random" | "swarm" };
  const params = { depth: Number(o["depth"]), steps: Number(o["steps"]) };
  const problem = pctParamsProblem(params);
  if (problem !== null) throw new UsageError(`${path}: strategy: ${problem}`);
  return { name: "pct", ...params };
}

/** Reads and checks a repro file; bad input is one UsageError line. */
export function loadRepro(path: string, limits: ScenarioLimits = DEFAULT_LIMITS): { repro: Repro; scenario: Scenario } {
  const file = readJsonFile(resolve(path), path, limits["file-size"]);
  if (!file.ok) throw new UsageError(file.error);
  const json = file.json;
  try {
    checkDepth(json, limits);
  } catch (e) {
    throw isProblem(e) ? new UsageError(`${path}: ${e.problem}`) : e;
  }
  if (typeof json !== "object" || json === null || (json as { nxtsim?: unknown }).nxtsim !== "repro/1") {
    throw new UsageError(`${path}: not an nxtsim repro file (no "nxtsim": "repro/1")`);
  }
  const r = json as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!KEYS.includes(key)) throw new UsageError(`${path}: unknown key "${key}"`);
  }
  const unitField = r["unit"];
  if (unitField !== undefined && (typeof unitField !== "string" || !Object.hasOwn(UNIT_VERSIONS, unitField))) {
    throw new UsageError(`${path}: unit must be one of ${Object.keys(UNIT_VERSIONS).join(", ")}`);
  }
  const unit = unitField === undefined ? DEFAULT_UNIT : unitVersion(unitField);
  const parsed = parseScenario(r["scenario"], `${path} scenario`, limits, upstreamOf({ unit }));
  if (!parsed.ok) throw new UsageError(parsed.error);
  const faults = noFaults();
  for (const kind of FAULT_KINDS) {
    const v = (r["faults"] as Record<string, unknown> | undefined)?.[kind];
    if (v !== undefined && (typeof v !== "number" || v < 0 || v > 1)) throw new UsageError(`${path}: faults.${kind} must be a number from 0 to 1`);
    if (typeof v === "number") faults[kind] = v;
  }
  const schedule = r["schedule"];
  if (schedule !== null && !(Array.isArray(schedule) && schedule.every((c) => Number.isInteger(c) && c >= 0))) {
    throw new UsageError(`${path}: schedule must be null or a list of non-negative integers`);
  }
  // A seed as the command line takes it: a non-negative decimal integer (String(seed) is what seeds the run).
  const given = r["seed"];
  if (typeof given !== "number" && typeof given !== "string") throw new UsageError(`${path}: seed must be a non-negative integer, got ${JSON.stringify(given) ?? "nothing"}`);
  const seed = parseSeed(String(given), `${path}: seed`);
  const strings = (key: string): string[] => {
    const v = r[key] ?? [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new UsageError(`${path}: ${key} must be a list of names`);
    return v as string[];
  };
  return {
    repro: {
      nxtsim: "repro/1",
      scenario: r["scenario"] as Json,
      seed,
      faults,
      fixes: strings("fixes"),
      mutants: strings("mutants"),
      schedule: schedule as number[] | null,
      check: typeof r["check"] === "string" ? r["check"] : null,
      strategy: strategyOf(path, r["strategy"]),
      ...(unit === DEFAULT_UNIT ? {} : { unit }),
    },
    scenario: parsed.scenario,
  };
}

/** Replays a repro; `deadline` is a wall-clock budget (harness/wall-budget.ts); `maxSteps` the run's step budget, when not the default. */
export function runRepro(repro: Repro, scenario: Scenario, deadline?: () => boolean, maxSteps?: number): SimRun {
  const policy = repro.schedule === null ? policyFor(repro.strategy ?? RANDOM, repro.seed) : undefined;
  return runScenarioOnSim(scenario, {
    ...(policy === undefined ? {} : { policy }),
    seed: repro.seed,
    faults: repro.faults,
    fixes: repro.fixes,
    mutants: repro.mutants,
    ...(repro.unit === undefined ? {} : { unit: repro.unit }),
    ...(repro.schedule === null ? {} : { replay: repro.schedule }),
    ...(deadline === undefined ? {} : { deadline }),
    ...(maxSteps === undefined ? {} : { maxSteps }),
  });
}

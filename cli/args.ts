// Parsing of command-line values. Every bad value is a UsageError with one line of text.

import { existsSync } from "node:fs";
import { resolve } from "node:path";

import { Option } from "commander";

import { DEFAULT_LIMITS, LIMIT_NAMES, parseLimit, type ScenarioLimits } from "../catalog/limits.ts";
import type { Scenario } from "../catalog/scenario.ts";
import { loadScenario } from "../catalog/scenario-parse.ts";
import { scenarioByName } from "../catalog/shipped-scenarios.ts";
import { upstreamOf, UsageError } from "../harness/model-options.ts";
import { parseSeed } from "../harness/explore-seeds.ts";
import { GENERATED, generatedScenario } from "../harness/generated.ts";
import { parseShard } from "../harness/shard.ts";
import { checkWorkers } from "../harness/workers.ts";
import { FAULT_KINDS, noFaults, type FaultRates } from "../sim/index.ts";
import { DEFAULT_PCT, pctParamsProblem, RUN_STRATEGY_NAMES, STRATEGY_NAMES, type RunStrategy } from "../sim/strategies/index.ts";

export { parseSeed, parseShard };

/** A scenario named on the command line, and how a replay command names it again. */
export interface ResolvedScenario {
  scenario: Scenario;
  /** The shipped name, or the file's absolute path. */
  ref: string;
}

function looksLikeFile(arg: string): boolean {
  return arg.includes("/") || arg.includes("\\") || arg.endsWith(".json");
}

/** The flag of every command that loads a scenario: --limit NAME=N (repeatable). */
export interface LimitFlags {
  limit?: ScenarioLimits;
}

export function limitOption(): Option {
  return new Option("--limit <name=n>", `raise (or lower) a bound on what a scenario may ask for (repeatable): ${LIMIT_NAMES.map((n) => `${n} (default ${DEFAULT_LIMITS[n]})`).join(", ")}`).argParser(
    (text: string, previous: ScenarioLimits | undefined) => {
      try {
        return parseLimit(text, previous);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    },
  );
}

/** The --limit arguments that give `limits` again (none for the defaults). */
export function limitArgs(limits: ScenarioLimits = DEFAULT_LIMITS): string[] {
  return LIMIT_NAMES.filter((n) => limits[n] !== DEFAULT_LIMITS[n]).flatMap((n) => ["--limit", `${n}=${limits[n]}`]);
}

/**
 * A shipped scenario's name, the path of a scenario file (checked against `limits`), or
 * "generated": the scenario `seed` draws.
 */
export function resolveScenario(arg: string, limits: ScenarioLimits = DEFAULT_LIMITS, seed?: number, unit?: string): ResolvedScenario {
  if (arg === GENERATED) {
    if (seed === undefined) throw new UsageError(`the scenario "${GENERATED}" is drawn from the run's seed: give the seed`);
    return { scenario: generatedScenario(seed), ref: GENERATED };
  }
  if (!looksLikeFile(arg)) {
    const r = scenarioByName(arg);
    if (r.ok) return { scenario: r.scenario, ref: r.scenario.name };
    if (!existsSync(arg)) throw new UsageError(r.error);
  }
  const path = resolve(arg);
  const r = loadScenario(arg, limits, upstreamOf({ unit }));
  if (!r.ok) throw new UsageError(r.error);
  return { scenario: r.scenario, ref: path };
}

export function parsePositiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${what} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

/** --workers N: how many worker threads. */
export function parseWorkers(text: string): number {
  return checkWorkers(/^\d+$/.test(text) ? Number(text) : NaN, text, "--workers");
}

export function parseSeconds(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${what} must be a positive number of seconds, got "${text}"`);
  }
  return n;
}

const FAULT_KEYS: readonly (keyof FaultRates)[] = FAULT_KINDS;

/** --faults '{"cloneFail":0.01,...}': every key known, every value a number in [0, 1]; missing keys are 0. */
export function parseFaults(text: string): FaultRates {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--faults must be a JSON object such as '{"cloneFail":0.01}', got ${JSON.stringify(text)}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(`--faults must be a JSON object of fault rates, got ${JSON.stringify(text)}`);
  }
  const rates = noFaults();
  for (const [key, value] of Object.entries(json)) {
    if (!(FAULT_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--faults: unknown fault "${key}" (known: ${FAULT_KEYS.join(", ")})`);
    }
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      throw new UsageError(`--faults: ${key} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
    }
    rates[key as keyof FaultRates] = value;
  }
  return rates;
}

/** Commander collector for repeatable options; "--fix 633,600" also works. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((v) => v.trim()).filter((v) => v !== "")];
}

/** The strategy flags shared by explore, replay, trace and shrink. */
export interface StrategyFlags {
  strategy?: string;
  pctDepth?: string;
  pctSteps?: string;
}

/** --strategy random|swarm|pct with --pct-depth/--pct-steps (PCT only); default random. */
export function parseRunStrategy(flags: StrategyFlags, command: string): RunStrategy {
  const name = flags.strategy ?? "random";
  if (name !== "pct" && (flags.pctDepth !== undefined || flags.pctSteps !== undefined)) {
    throw new UsageError("--pct-depth and --pct-steps apply to --strategy pct only");
  }
  if (name === "random" || name === "swarm") return { name };
  if (name === "branch" && command === "explore") return { name };
  if (name === "pct") {
    const depth = flags.pctDepth === undefined ? DEFAULT_PCT.depth : parsePositiveInt(flags.pctDepth, "--pct-depth");
    const steps = flags.pctSteps === undefined ? DEFAULT_PCT.steps : parsePositiveInt(flags.pctSteps, "--pct-steps");
    const problem = pctParamsProblem({ depth, steps });
    if (problem !== null) throw new UsageError(problem);
    return { name: "pct", depth, steps };
  }
  const known = command === "explore" ? STRATEGY_NAMES : RUN_STRATEGY_NAMES;
  throw new UsageError(`--strategy must be one of ${known.join(", ")}, got "${name}"`);
}

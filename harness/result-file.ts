// Result files (explore --json, format nxtsim-result/3) read back, checked, and merged: the
// results of the shards of one exploration make one result, as if one run had made all their
// runs. Results of different explorations (scenarios, seed, fixes, mutants, faults, strategy, budgets)
// or of overlapping shards are refused. Every problem is one UsageError line naming the file.

import { readJsonFile } from "../catalog/json-file.ts";
import { DEFAULT_UNIT, KNOWN_FIXES, UNIT_VERSIONS } from "../lifecycle/options.ts";
import { isCause } from "./attribution.ts";
import { FAULT_KINDS, type FaultRates } from "../sim/index.ts";
import { pctParamsProblem, RUN_STRATEGY_NAMES, type RunStrategy } from "../sim/strategies/index.ts";
import type { ExploreSpec } from "./explore-plan.ts";
import { RESULT_FORMAT, shardRuns, type ExploreResult, type ShardRuns } from "./explore-result.ts";
import { UsageError } from "./model-options.ts";
import { shardName } from "./shard.ts";
import { mergeTallies, type DistinctFailure, type ScenarioStats, type Tally } from "./tally.ts";

export interface ResultInput {
  /** The file as the user named it. */
  file: string;
  result: ExploreResult;
}

/* ------------------------------------------------------------------ reading */

/** What may stop an exploration; a merged result is stopped by the first that stopped any shard. */
const STOPPED_BY = ["interrupted", "time", "runs"] as const satisfies readonly ExploreResult["stoppedBy"][];

type Fields = Record<string, unknown>;

/** Field checkers: each returns the value, typed, or throws one line naming the field. */
function reader(file: string) {
  const fail = (field: string, what: string): never => {
    throw new UsageError(`${file}: ${field} must be ${what}`);
  };
  const object = (v: unknown, field: string): Fields =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Fields) : fail(field, "an object");
  const array = (v: unknown, field: string): unknown[] => (Array.isArray(v) ? v : fail(field, "a list"));
  const nat = (v: unknown, field: string): number =>
    Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(field, "a non-negative integer");
  const str = (v: unknown, field: string): string => (typeof v === "string" ? v : fail(field, "a string"));
  const strings = (v: unknown, field: string): string[] => array(v, field).map((x, i) => str(x, `${field}[${i}]`));
  const orNull = <T>(check: (v: unknown, field: string) => T) => (v: unknown, field: string): T | null =>
    v === null ? null : check(v, field);
  const rates = (v: unknown, field: string): FaultRates => {
    const o = object(v, field);
    const out = {} as FaultRates;
    for (const kind of FAULT_KINDS) {
      const x = o[kind];
      if (typeof x !== "number" || !(x >= 0 && x <= 1)) fail(`${field}.${kind}`, "a number from 0 to 1");
      out[kind] = x as number;
    }
    return out;
  };
  const strategy = (v: unknown, field: string): RunStrategy => {
    const o = object(v, field);
    const name = o["name"];
    if (name === "branch") throw new UsageError(`${file}: a result of --strategy branch, which is not merged (its runs are made in one thread, never in shards; its own summary and --json are the whole result)`);
    if (!(RUN_STRATEGY_NAMES as readonly unknown[]).includes(name)) fail(`${field}.name`, `one of ${RUN_STRATEGY_NAMES.join(", ")}`);
    if (name !== "pct") return { name: name as "random" | "swarm" };
    const params = { depth: nat(o["depth"], `${field}.depth`), steps: nat(o["steps"], `${field}.steps`) };
    const problem = pctParamsProblem(params);
    if (problem !== null) fail(field, `valid PCT parameters (${problem})`);
    return { name: "pct", ...params };
  };
  return { fail, object, array, nat, str, strings, orNull, rates, strategy };
}

/** Runs cut by their wall-clock budget; absent (none) in files of nxtsim before it had one. */
function budgetPart(r: ReturnType<typeof reader>, top: Fields): Pick<Tally, "budgetRuns" | "firstBudgetRun"> {
  const budgetRuns = top["budgetRuns"] === undefined ? 0 : r.nat(top["budgetRuns"], "budgetRuns");
  const first = top["firstBudgetRun"] ?? null;
  if (first === null) return { budgetRuns, firstBudgetRun: null };
  const o = r.object(first, "firstBudgetRun");
  return { budgetRuns, firstBudgetRun: { run: r.nat(o["run"], "firstBudgetRun.run"), scenario: r.str(o["scenario"], "firstBudgetRun.scenario"), replay: r.str(o["replay"], "firstBudgetRun.replay") } };
}

/** explore --backend real --json writes its result with this format (not merged: real runs have no seeds). */
export const REAL_RESULT_FORMAT = "nxtsim-real-result/1";

/** Reads and checks a result file written by explore --json or merge --json. */
export function readResultFile(file: string): ExploreResult {
  const loaded = readJsonFile(file);
  if (!loaded.ok) throw new UsageError(loaded.error);
  const r = reader(file);
  const top = r.object(loaded.json, "the file");
  if (top["format"] !== RESULT_FORMAT) {
    const format = top["format"];
    throw new UsageError(
      format === REAL_RESULT_FORMAT
        ? `${file}: a result of explore --backend real, which is not merged (real runs have no seeds; it is read as JSON)`
        : typeof format === "string" && format.startsWith("nxtsim-result/")
          ? `${file}: result format ${format} is not supported (this nxtsim reads ${RESULT_FORMAT}; make the result again with explore --json)`
          : `${file}: not an nxtsim result file (no "format": "${RESULT_FORMAT}")`,
    );
  }
  const s = r.object(top["spec"], "spec");
  const spec: ExploreSpec = {
    scenarios: r.strings(s["scenarios"], "spec.scenarios"),
    baseSeed: r.nat(s["baseSeed"], "spec.baseSeed"),
    fixes: r.strings(s["fixes"], "spec.fixes"),
    mutants: r.strings(s["mutants"], "spec.mutants"),
    ...(s["unit"] === undefined ? {} : { unit: unitOf(file, s["unit"]) }),
    faults: r.orNull(r.rates)(s["faults"], "spec.faults"),
    strategy: r.strategy(s["strategy"], "spec.strategy"),
    maxSteps: r.orNull(r.nat)(s["maxSteps"], "spec.maxSteps"),
    runs: r.orNull(r.nat)(s["runs"], "spec.runs"),
  };
  if (spec.scenarios.length === 0) r.fail("spec.scenarios", "a non-empty list");
  const names = new Set(spec.scenarios);

  const shards = r.array(top["shards"], "shards").map((v, i): ShardRuns => {
    const o = r.object(v, `shards[${i}]`);
    const index = r.nat(o["index"], `shards[${i}].index`);
    const count = r.nat(o["count"], `shards[${i}].count`);
    if (!(index >= 1 && index <= count)) r.fail(`shards[${i}]`, "a shard i/n with 1 <= i <= n");
    const shard = shardRuns({ index, count }, r.nat(o["runs"], `shards[${i}].runs`));
    if (o["first"] !== shard.first || o["last"] !== shard.last) r.fail(`shards[${i}].first/last`, `${shard.first}/${shard.last} for ${shard.runs} runs of shard ${shardName(shard)}`);
    return shard;
  });
  if (shards.length === 0) r.fail("shards", "a non-empty list");

  const perScenario = r.array(top["perScenario"], "perScenario").map((v, i): ScenarioStats => {
    const o = r.object(v, `perScenario[${i}]`);
    const field = (k: string): number => r.nat(o[k], `perScenario[${i}].${k}`);
    return { scenario: r.str(o["scenario"], `perScenario[${i}].scenario`), runs: field("runs"), steps: field("steps"), events: field("events"), failedRuns: field("failedRuns") };
  });
  if (perScenario.map((p) => p.scenario).join("\n") !== [...names].join("\n")) {
    r.fail("perScenario", "one entry per scenario of spec.scenarios, in order");
  }

  const distinct = r.array(top["distinct"], "distinct").map((v, i): DistinctFailure => {
    const o = r.object(v, `distinct[${i}]`);
    const f = (k: string): string => `distinct[${i}].${k}`;
    const scenario = r.str(o["scenario"], f("scenario"));
    if (!names.has(scenario)) r.fail(f("scenario"), "one of spec.scenarios");
    return {
      check: r.str(o["check"], f("check")),
      scenario,
      reason: r.str(o["reason"], f("reason")),
      normalised: r.str(o["normalised"], f("normalised")),
      cause: o["cause"] === null ? null : typeof o["cause"] === "string" && isCause(o["cause"]) ? o["cause"] : r.fail(f("cause"), `null, a fix of ${KNOWN_FIXES.join(", ")}, or two of them joined by "+"`),
      count: r.nat(o["count"], f("count")),
      run: r.nat(o["run"], f("run")),
      position: r.nat(o["position"], f("position")),
      seed: r.nat(o["seed"], f("seed")),
      faults: r.rates(o["faults"], f("faults")),
      replay: r.str(o["replay"], f("replay")),
    };
  });

  const t = r.object(top["timing"], "timing");
  const wallMs = t["wallMs"];
  if (typeof wallMs !== "number" || !(wallMs >= 0)) r.fail("timing.wallMs", "a non-negative number");
  const stoppedBy = top["stoppedBy"];
  if (!(STOPPED_BY as readonly unknown[]).includes(stoppedBy)) r.fail("stoppedBy", STOPPED_BY.map((x) => `"${x}"`).join(", "));

  const result: ExploreResult = {
    format: RESULT_FORMAT,
    spec,
    shards,
    stoppedBy: stoppedBy as ExploreResult["stoppedBy"],
    runs: r.nat(top["runs"], "runs"),
    steps: r.nat(top["steps"], "steps"),
    events: r.nat(top["events"], "events"),
    failures: r.nat(top["failures"], "failures"),
    failedRuns: r.nat(top["failedRuns"], "failedRuns"),
    perScenario,
    distinct,
    transitions: r.strings(top["transitions"], "transitions"),
    ...budgetPart(r, top),
    timing: { wallMs: wallMs as number, workers: r.nat(t["workers"], "timing.workers") },
  };
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  if (result.runs !== sum(shards.map((x) => x.runs)) || result.runs !== sum(perScenario.map((x) => x.runs))) {
    r.fail("runs", "the sum of the runs of its shards and of its scenarios");
  }
  return result;
}

function unitOf(file: string, v: unknown): string {
  if (typeof v !== "string" || !Object.hasOwn(UNIT_VERSIONS, v)) throw new UsageError(`${file}: spec.unit must be one of ${Object.keys(UNIT_VERSIONS).join(", ")}`);
  return v;
}

/* ------------------------------------------------------------------ merging */

/** How each spec field is set on the command line, for the message naming a difference. */
const SPEC_FIELDS: Record<keyof ExploreSpec, string> = {
  scenarios: "scenarios",
  baseSeed: "--seed",
  fixes: "--fix",
  mutants: "--mutant",
  unit: "--unit",
  faults: "--faults",
  strategy: "--strategy",
  maxSteps: "--max-steps",
  runs: "--runs",
};

function specDifference(a: ExploreSpec, b: ExploreSpec): string | null {
  for (const [key, flag] of Object.entries(SPEC_FIELDS) as [keyof ExploreSpec, string][]) {
    // A spec without "unit" is c8d9106a's (files written before versions, or of the default).
    const x = JSON.stringify(key === "unit" ? (a.unit ?? DEFAULT_UNIT) : a[key]);
    const y = JSON.stringify(key === "unit" ? (b.unit ?? DEFAULT_UNIT) : b[key]);
    if (x !== y) return `${flag} ${x} vs ${y}`;
  }
  return null;
}

function tallyPart(r: ExploreResult): Tally {
  const { runs, steps, events, failures, failedRuns, perScenario, distinct, transitions, budgetRuns, firstBudgetRun } = r;
  return { runs, steps, events, failures, failedRuns, perScenario, distinct, transitions, budgetRuns, firstBudgetRun };
}

/** One result from the results of disjoint shards of one exploration. */
export function mergeResults(inputs: readonly ResultInput[]): ExploreResult {
  const first = inputs[0];
  if (first === undefined) throw new UsageError("merge needs at least one result file");
  const owner = new Map<number, string>();
  const count = first.result.shards[0]!.count;
  for (const { file, result } of inputs) {
    const diff = specDifference(first.result.spec, result.spec);
    if (diff !== null) throw new UsageError(`${file} is not from the same exploration as ${first.file} (${diff})`);
    for (const shard of result.shards) {
      if (shard.count !== count) {
        throw new UsageError(`${file}: shard ${shardName(shard)} does not fit the shards of ${count} of ${first.file} (different --shard counts cannot be merged)`);
      }
      const other = owner.get(shard.index);
      if (other !== undefined) {
        throw new UsageError(`${file} and ${other} both hold shard ${shardName(shard)}: overlapping runs cannot be merged`);
      }
      owner.set(shard.index, file);
    }
  }
  const results = inputs.map((i) => i.result);
  return {
    format: RESULT_FORMAT,
    spec: first.result.spec,
    shards: results.flatMap((r) => r.shards).sort((a, b) => a.index - b.index),
    stoppedBy: STOPPED_BY.find((why) => results.some((r) => r.stoppedBy === why))!,
    ...results.map(tallyPart).reduce(mergeTallies),
    timing: {
      wallMs: results.reduce((sum, r) => sum + r.timing.wallMs, 0),
      workers: Math.max(...results.map((r) => r.timing.workers)),
    },
  };
}

/** The shards a result lacks to cover the whole exploration ("2/3", ...). */
export function missingShards(shards: readonly ShardRuns[]): string[] {
  const count = shards[0]?.count ?? 1;
  const have = new Set(shards.map((s) => s.index));
  return Array.from({ length: count }, (_, i) => i + 1)
    .filter((i) => !have.has(i))
    .map((index) => shardName({ index, count }));
}

// The strategy comparison (npm run bench:strategies): for every known-bug fixture and every
// mutant, how many runs each strategy needs to first fail the target check, median (and mean)
// over CAMPAIGNS campaigns, and the CPU time that took (mean per campaign); campaign c makes
// runs 0, 1, ... of base seed BASE + c, each with the fault rates its strategy draws
// (explore's, or swarm's own), at most CAP runs (a campaign that finds nothing counts as
// CAP + 1 in the mean, "> CAP" in the median, and its CAP runs' CPU time). Branch's campaign
// is explore's (its runs from boot have random's seeds and fault rates). A failure that another known fix removes from the same run (harness/attribution.ts) does not count.
// Then #600 against PCT (the issue's claim): on plain shutdown and on its narrow window, each
// strategy's per-run hit rate over DEEP_RUNS fault-free runs (Wilson 95% interval) and its
// runs to the first failure over DEEP_CAMPAIGNS campaigns (mean with its 95% interval).
// Last, coverage: the distinct (process type, handshake state, message type) transitions each
// strategy reaches over the same number of runs of every shipped scenario (explore's count).
// Then branch against random with a larger budget on the rarest fixture. Writes the tables
// into README.md between their bench markers and prints them; `npm run bench:strategies --
// NAME ...` makes only the tables named (strategies, pct600, coverage, branch-long).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { changedScenario, listBugFixtures, loadBugFixture } from "../catalog/bugs.ts";
import type { Scenario } from "../catalog/scenario.ts";
import { listScenarios, scenarioByName } from "../catalog/shipped-scenarios.ts";
import { explore } from "../harness/explore.ts";
import { hitsIn, runsToFailure, type Target } from "../harness/strategy-compare.ts";
import { DEFAULT_PCT, describeStrategy, type RunStrategy } from "../sim/strategies/index.ts";
import { meanWithInterval, median, wilson, type Estimate } from "./stats.ts";

const CAMPAIGNS = 20;
const CAP = 40;
const BASE = 1000;
const STRATEGIES: readonly RunStrategy[] = [{ name: "random" }, { name: "swarm" }, { name: "pct", ...DEFAULT_PCT }, { name: "branch" }];
/** Where branch writes the repro files of its failing branched runs (removed at the end). */
const REPRO_DIR = mkdtempSync(join(tmpdir(), "nxtsim-bench-branch-"));

/** CPU time (all threads of this process) that `f` took, in ms, with its value. */
function cpuTimed<T>(f: () => T): { value: T; cpuMs: number } {
  const before = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(before);
  return { value, cpuMs: (used.user + used.system) / 1000 };
}

/** Runs to the first failure of one campaign, and its CPU time. */
function campaignCost(t: Target, s: RunStrategy, base: number, cap: number, faults: "drawn" | "none"): { runs: number; cpuMs: number } {
  const { value, cpuMs } = cpuTimed(() => runsToFailure(t, s, base, cap, faults, REPRO_DIR));
  return { runs: value, cpuMs };
}

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

/** Each mutant on the shipped scenario where it is hardest to hit (most are hit by every run anywhere). */
const MUTANTS: readonly [mutant: string, check: string, scenario: () => Scenario, fixes: string[]][] = [
  ["keep-all", "fixup-by-keep-matrix", () => shipped("one-app-two-processes"), ["633"]],
  ["send-all", "new-port-by-send-matrix", () => shipped("boot-only"), ["633"]],
  ["creds-before-created", "handshake-order", () => shipped("one-app-two-processes"), ["633"]],
  ["setgroups-last", "maps-before-credentials", () => shipped("one-app-isolated"), ["633"]],
  ["notify-all", "remove-pid-by-notify-matrix", () => shipped("kill-restart-app"), ["633"]],
  ["notify-twice", "remove-pid-once", () => shipped("one-app-isolated"), ["633"]],
  ["proto-no-notify", "remove-pid-complete", () => shipped("shutdown-sigquit"), ["633"]],
  ["release-twice", "released-once", () => shipped("kill-restart-app"), ["633"]],
  ["remove-pid-leaks-record", "use-counts-return-to-zero", () => shipped("shutdown-sigquit"), ["633"]],
  // Re-keying exists only without the fix of #633, for an app killed under pid isolation.
  ["rekey-in-place", "table-keys-unique", () => changedScenario(shipped("kill-restart-app"), { "config.applications.a.isolation": { namespaces: { pid: true } } }), []],
];

/** #600 where its window is narrow: one ordering (the controller's whole exit before main's next step) makes it. */
function narrow600(): Target {
  return { name: "#600 (router-dies-at-stop)", scenario: shipped("router-dies-at-stop"), fixes: ["633"], mutants: ["600"], check: "no-zombies" };
}

/** A known-bug fixture's recorded target: its scenario, fixes, mutants and check. */
function fixtureTarget(bug: string): Target {
  const f = loadBugFixture(bug);
  const cause = f.upstreamFix === null ? {} : { cause: f.upstreamFix };
  return { name: `#${f.bug} (${f.scenario.name})`, scenario: f.scenario, fixes: f.fixes, mutants: f.mutants, check: f.check, ...cause };
}

function targets(): Target[] {
  const bugs = listBugFixtures().map(fixtureTarget);
  const mutants = MUTANTS.map(([m, check, scenario, fixes]) => ({ name: `mutant ${m} (${scenario().name})`, scenario: scenario(), fixes, mutants: [m], check }));
  return [...bugs, narrow600(), ...mutants];
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function cell(costs: readonly { runs: number; cpuMs: number }[]): string {
  const xs = costs.map((c) => c.runs);
  const med = median(xs);
  const found = xs.filter((x) => x <= CAP).length;
  return `${med > CAP ? `> ${CAP}` : String(med)} (mean ${mean(xs).toFixed(1)}, ${found}/${xs.length}); ${mean(costs.map((c) => c.cpuMs)).toFixed(0)} ms`;
}

function comparisonTable(): string {
  const started = performance.now();
  const rows: string[] = [];
  for (const t of targets()) {
    const cells = STRATEGIES.map((s) => cell(Array.from({ length: CAMPAIGNS }, (_, c) => campaignCost(t, s, BASE + c, CAP, "drawn"))));
    rows.push(`| ${t.name} | \`${t.check}\` | ${cells.join(" | ")} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  return [
    `Runs to the first failure of the target check: median over ${CAMPAIGNS} campaigns (mean, campaigns that found it); then the CPU time to the first failure, mean per campaign (a miss counts the CPU time of its ${CAP} runs). At most ${CAP} runs per campaign (capped to keep the bench under five minutes; a miss counts as ${CAP + 1} in the mean). Every strategy's campaigns use the same base seeds; measured in one process, one after the other. Made by \`npm run bench:strategies\` in ${seconds.toFixed(0)} s.`,
    "",
    `| target (scenario) | check | ${STRATEGIES.map(describeStrategy).join(" | ")} |`,
    `|---|---|${STRATEGIES.map(() => "---").join("|")}|`,
    ...rows,
  ].join("\n");
}

/* ------------------------------------------------------------------ #600 against PCT */

const DEEP_RUNS = 1000;
const DEEP_CAMPAIGNS = 200;
const DEEP_CAP = 100;
const DEEP_HIT_BASE = 6000;
const DEEP_CAMPAIGN_BASE = 7000;
/** Uniform random, the default PCT, and the depths around it (k covers a whole run of either scenario). */
const DEEP_STRATEGIES: readonly RunStrategy[] = [
  { name: "random" },
  { name: "pct", ...DEFAULT_PCT },
  { name: "pct", depth: 1, steps: 100 },
  { name: "pct", depth: 2, steps: 100 },
  { name: "branch" },
];

function percent(e: Estimate): string {
  return `${(100 * e.value).toFixed(1)}% (${(100 * e.low).toFixed(1)} to ${(100 * e.high).toFixed(1)})`;
}

function runs(e: Estimate): string {
  return `${e.value.toFixed(2)} (${e.low.toFixed(2)} to ${e.high.toFixed(2)})`;
}

function deepTable(): string {
  const started = performance.now();
  const rows: string[] = [];
  for (const t of [fixtureTarget("600"), narrow600()]) {
    for (const s of DEEP_STRATEGIES) {
      const rate = wilson(hitsIn(t, s, DEEP_HIT_BASE, DEEP_RUNS, "none", REPRO_DIR), DEEP_RUNS);
      const costs = Array.from({ length: DEEP_CAMPAIGNS }, (_, c) => campaignCost(t, s, DEEP_CAMPAIGN_BASE + c, DEEP_CAP, "none"));
      const toFailure = costs.map((c) => c.runs);
      const found = toFailure.filter((x) => x <= DEEP_CAP).length;
      rows.push(`| ${t.name} | ${describeStrategy(s)} | ${percent(rate)} | ${runs(meanWithInterval(toFailure))} | ${median(toFailure)} | ${found}/${DEEP_CAMPAIGNS} | ${mean(costs.map((c) => c.cpuMs)).toFixed(0)} ms |`);
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return [
    `#600 (\`--mutant 600\`, check \`no-zombies\`, fix 633 on), fault-free runs so that only the schedule differs: the share of ${DEEP_RUNS} runs that hit it (95% Wilson interval), and runs to the first hit over ${DEEP_CAMPAIGNS} campaigns (mean with its 95% interval; median; at most ${DEEP_CAP} runs each) and the CPU time to it (mean per campaign). Branch's share of runs that hit counts a failure found again from the same copy each time. Made by \`npm run bench:strategies\` in ${seconds.toFixed(0)} s.`,
    "",
    "| target (scenario) | strategy | runs that hit it | runs to first hit, mean | median | campaigns that found it | CPU time to first hit |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/* ------------------------------------------------------------------ coverage */

const COVERAGE_RUNS = [200, 2000];
const COVERAGE_SEED = 9000;

function coverageTable(): string {
  const started = performance.now();
  const scenarios = listScenarios();
  const rows = STRATEGIES.map((strategy) => {
    const counts = COVERAGE_RUNS.map((runs) => explore({ scenarios, runs, seed: COVERAGE_SEED, strategy, reproDir: REPRO_DIR }).transitions.length);
    const row = `| ${describeStrategy(strategy)} | ${counts.join(" | ")} |`;
    process.stderr.write(`${row}\n`);
    return row;
  });
  const seconds = (performance.now() - started) / 1000;
  return [
    `Coverage: distinct (process type, handshake state, message type) transitions reached by explore over all ${scenarios.length} shipped scenarios (round-robin, base seed ${COVERAGE_SEED}, each strategy's own fault rates). Made by \`npm run bench:strategies\` in ${seconds.toFixed(0)} s.`,
    "",
    `| strategy | ${COVERAGE_RUNS.map((n) => `${n} runs`).join(" | ")} |`,
    `|---|${COVERAGE_RUNS.map(() => "---").join("|")}|`,
    ...rows,
  ].join("\n");
}

/* ------------------------------------------------------------------ branch against random, longer */

// The comparison above stops at 40 runs, before branch has much of a corpus to branch from.
// Here: the rarest fixture, proto-start-while-exiting (uniform random hits it in about 1 run in
// 1,400), with up to 3,000 runs per campaign.
const LONG_CAP = 3000;
const LONG_CAMPAIGNS = 20;
const LONG_BASE = 5000;
const LONG_STRATEGIES: readonly RunStrategy[] = [{ name: "random" }, { name: "branch" }];

function longTable(): string {
  const started = performance.now();
  const t = fixtureTarget("proto-start-while-exiting");
  const byStrategy = LONG_STRATEGIES.map((s) => Array.from({ length: LONG_CAMPAIGNS }, (_, c) => campaignCost(t, s, LONG_BASE + c, LONG_CAP, "drawn")));
  const runsOf = (i: number) => byStrategy[i]!.map((c) => c.runs);
  const rows = LONG_STRATEGIES.map((s, i) => {
    const xs = runsOf(i);
    const costs = byStrategy[i]!;
    const med = median(xs);
    const vsRandom = i === 0 ? "" : `; against random, campaign by campaign: ${xs.filter((x, c) => x < runsOf(0)[c]!).length} fewer runs, ${xs.filter((x, c) => x === runsOf(0)[c]!).length} the same, ${xs.filter((x, c) => x > runsOf(0)[c]!).length} more`;
    return `| ${t.name} | ${describeStrategy(s)} | ${med > LONG_CAP ? `> ${LONG_CAP}` : String(med)} | ${mean(xs).toFixed(0)} | ${xs.filter((x) => x <= LONG_CAP).length}/${xs.length} | ${(mean(costs.map((c) => c.cpuMs)) / 1000).toFixed(2)} s | ${xs.map((x) => (x > LONG_CAP ? "miss" : String(x))).join(", ")}${vsRandom} |`;
  });
  const seconds = (performance.now() - started) / 1000;
  return [
    `Runs to the first failure of \`${t.check}\` by the cause proto-start-while-exiting, ${LONG_CAMPAIGNS} campaigns (base seeds ${LONG_BASE} to ${LONG_BASE + LONG_CAMPAIGNS - 1}, explore's drawn fault rates, branch's runs from boot are random's), at most ${LONG_CAP} runs each (a miss counts as ${LONG_CAP + 1} in the mean); the CPU time to the first failure, mean per campaign (a miss counts its ${LONG_CAP} runs). Made by \`npm run bench:strategies\` in ${seconds.toFixed(0)} s.`,
    "",
    "| target (scenario) | strategy | runs to first failure, median | mean | campaigns that found it | CPU time to it | each campaign's runs |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/* ------------------------------------------------------------------ README */

function replaceBlock(text: string, name: string, content: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} block`);
  return `${text.slice(0, a + start.length)}\n${content}\n${text.slice(b)}`;
}

/** Each table by the name of its README block. */
const TABLES: Readonly<Record<string, () => string>> = {
  strategies: comparisonTable,
  pct600: deepTable,
  coverage: coverageTable,
  "branch-long": longTable,
};

/** The tables named (all when none is); branch's repro files are removed after, whatever happens. */
function tables(names: readonly string[]): [name: string, table: string][] {
  try {
    return names.map((name) => [name, TABLES[name]!()]);
  } finally {
    rmSync(REPRO_DIR, { recursive: true, force: true });
  }
}

function main(): void {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => TABLES[name] === undefined);
  if (unknown.length > 0) {
    rmSync(REPRO_DIR, { recursive: true, force: true });
    process.stderr.write(`bench:strategies: no table named ${unknown.join(", ")} (tables: ${Object.keys(TABLES).join(", ")})\n`);
    process.exit(2);
  }
  const made = tables(asked.length === 0 ? Object.keys(TABLES) : asked);
  const readme = fileURLToPath(new URL("../README.md", import.meta.url));
  let text = readFileSync(readme, "utf8");
  for (const [name, table] of made) text = replaceBlock(text, name, table);
  writeFileSync(readme, text);
  process.stdout.write(`${made.map(([, table]) => table).join("\n\n")}\n`);
}

main();

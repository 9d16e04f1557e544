// The strategy comparison (npm run bench:strategies): for every known-bug fixture and every
// mutant, how many runs each per-run strategy needs to first fail the target check, median
// (and mean) over CAMPAIGNS campaigns; campaign c makes runs 0, 1, ... of base seed
// BASE + c, each with the fault rates its strategy draws (explore's, or swarm's own), at most
// CAP runs (a campaign that finds nothing counts as CAP + 1 in the mean, "> CAP" in the
// median). A failure that properties/known.ts explains as a c8d9106a finding does not count.
// Writes the table into README.md between the bench markers and prints it.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { changedScenario, listBugFixtures, loadBugFixture } from "../fixtures/bugs.ts";
import { scenarioByName, type Scenario } from "../fixtures/scenario.ts";
import { checkRun } from "../harness/checks.ts";
import { drawnFaultRates, runOnce, runSeed } from "../harness/explore.ts";
import { isKnown } from "../properties/known.ts";
import { DEFAULT_PCT, describeStrategy, type RunStrategy } from "../sim/strategies/index.ts";

const CAMPAIGNS = 20;
const CAP = 40;
const BASE = 1000;
const STRATEGIES: readonly RunStrategy[] = [{ name: "random" }, { name: "swarm" }, { name: "pct", ...DEFAULT_PCT }];

interface Target {
  name: string;
  scenario: Scenario;
  fixes: string[];
  mutants: string[];
  check: string;
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

function targets(): Target[] {
  const bugs = listBugFixtures().map(loadBugFixture).map((f) => ({ name: `#${f.bug} (${f.scenario.name})`, scenario: f.scenario, fixes: f.fixes, mutants: f.mutants, check: f.check }));
  const mutants = MUTANTS.map(([m, check, scenario, fixes]) => ({ name: `mutant ${m} (${scenario().name})`, scenario: scenario(), fixes, mutants: [m], check }));
  return [...bugs, ...mutants];
}

/** Runs of one campaign until the target check fails; CAP + 1 when it never does. */
function runsToFailure(t: Target, strategy: RunStrategy, campaign: number): number {
  for (let k = 0; k < CAP; k++) {
    const seed = runSeed(BASE + campaign, k);
    const run = runOnce(t.scenario, { seed, faults: drawnFaultRates(strategy, seed), strategy, fixes: t.fixes, mutants: t.mutants });
    const failures = checkRun({ scenario: t.scenario, ...run });
    if (failures.some((f) => f.check === t.check && isKnown({ ...f, step: -1 }) === undefined)) return k + 1;
  }
  return CAP + 1;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function cell(xs: readonly number[]): string {
  const med = median(xs);
  const found = xs.filter((x) => x <= CAP).length;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${med > CAP ? `> ${CAP}` : String(med)} (mean ${mean.toFixed(1)}, ${found}/${xs.length})`;
}

function main(): void {
  const started = performance.now();
  const rows: string[] = [];
  for (const t of targets()) {
    const cells = STRATEGIES.map((s) => cell(Array.from({ length: CAMPAIGNS }, (_, c) => runsToFailure(t, s, c))));
    rows.push(`| ${t.name} | \`${t.check}\` | ${cells.join(" | ")} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  const table = [
    `Runs to the first failure of the target check: median over ${CAMPAIGNS} campaigns (mean, campaigns that found it); at most ${CAP} runs per campaign (capped to keep the bench under five minutes; a miss counts as ${CAP + 1} in the mean). Made by \`npm run bench:strategies\` in ${seconds.toFixed(0)} s.`,
    "",
    `| target (scenario) | check | ${STRATEGIES.map(describeStrategy).join(" | ")} |`,
    `|---|---|${STRATEGIES.map(() => "---").join("|")}|`,
    ...rows,
  ].join("\n");
  const readme = fileURLToPath(new URL("../README.md", import.meta.url));
  const text = readFileSync(readme, "utf8");
  const start = "<!-- bench:strategies:start -->";
  const end = "<!-- bench:strategies:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} block`);
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
  process.stdout.write(`${table}\n`);
}

main();

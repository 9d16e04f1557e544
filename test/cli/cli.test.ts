// The nxtsim command line, run as a user runs it (node bin/nxtsim.js, npx nxtsim), checked
// against what the harness functions compute in-process for the same seeds.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { execa } from "execa";
import { describe, expect, it } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { loadScenario } from "../../catalog/scenario-parse.ts";
import { listScenarios, scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { checkRun } from "../../harness/checks.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { noFaults } from "../../sim/index.ts";
import { explore } from "../../harness/explore.ts";
import type { ExploreResult } from "../../harness/explore-result.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { faultRatesForSeed, runSeed } from "../../harness/explore-seeds.ts";
import { replayCommand } from "../../harness/replay-command.ts";
import type { RunOutcome } from "../../harness/tally.ts";
import { expectOneLineError, REPO, runNxtsim, runPrinted as runPrintedIn, scratchDir } from "./helpers.ts";

const scratch = scratchDir();
const nxtsim = (args: string[], cwd = scratch) => runNxtsim(args, cwd);
const runPrinted = (command: string) => runPrintedIn(command, scratch);

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

function hashOf(stdout: string): string {
  const m = /^trace hash: ([0-9a-f]{64})$/m.exec(stdout);
  if (m === null) throw new Error(`no trace hash in:\n${stdout}`);
  return m[1]!;
}

/** The replay commands of a summary, in the order the distinct failures are listed. */
function replayLines(stdout: string): string[] {
  return [...stdout.matchAll(/^\s+replay: (.*)$/gm)].map((m) => m[1]!);
}

describe("explore", () => {
  it("prints a summary that matches the in-process exploration of the same seeds, and exits 0 or 1 accordingly", async () => {
    const r = await nxtsim(["explore", "one-app-isolated", "--runs", "40", "--seed", "11", "--json", "out.json"]);
    const expected = explore({ scenarios: [shipped("one-app-isolated")], runs: 40, seed: 11 });

    const fresh = expected.distinct.filter((d) => d.cause === null);
    const known = expected.distinct.filter((d) => d.cause !== null);
    const causes = [...new Set(known.map((d) => d.cause!))].sort();
    expect(r.stdout.split("\n")[0]).toBe(`${fresh.length} new, ${known.length} known (${causes.length} cause${causes.length === 1 ? "" : "s"})`);
    expect(r.stdout).toMatch(/^explored 40 runs over 1 scenario in [\d.]+ s \(base seed 11, strategy random, stopped by runs/m);
    expect(r.stdout).toMatch(/events: \d+ \(\d+ events\/s\)/);
    expect(r.stdout).toMatch(/^\s+one-app-isolated\s+40 runs\s+\d+ events/m);
    expect(r.stdout).toContain(`events: ${expected.events} `);
    // Not a TTY: plain progress lines on stderr, nothing else.
    expect(r.stderr).toMatch(/^progress: \d+% \d+ runs/m);

    const written = JSON.parse(readFileSync(join(scratch, "out.json"), "utf8")) as ExploreResult;
    expect({ ...written, timing: null }).toEqual({ ...expected, timing: null });
    expect(written.distinct.map((d) => [d.check, d.reason, d.count, d.replay])).toEqual(
      expected.distinct.map((d) => [d.check, d.reason, d.count, d.replay]),
    );
    // Exit 1 only for a new failure (--fail-on new); new ones in full, then one replay per cause.
    expect(r.code).toBe(fresh.length > 0 ? 1 : 0);
    if (expected.distinct.length === 0) expect(r.stdout).toContain("no failures");
    const perCause = causes.map((c) => known.find((d) => d.cause === c)!.replay);
    expect(replayLines(r.stdout)).toEqual([...fresh.map((d) => d.replay), ...perCause]);
  });

  it("--fail-on: known failures alone exit 0 by default (new) and 1 with any; a mutant's failure is new and exits 1", async () => {
    const args = ["explore", "one-app-isolated", "--runs", "40", "--seed", "11", "--no-progress"];
    const expected = explore({ scenarios: [shipped("one-app-isolated")], runs: 40, seed: 11 });
    // The premise: these runs fail only in ways a known fix removes (#633's keying here).
    expect(expected.distinct.length).toBeGreaterThan(0);
    expect(expected.distinct.filter((d) => d.cause === null)).toEqual([]);
    const [byDefault, any, mutant] = await Promise.all([
      nxtsim(args),
      nxtsim([...args, "--fail-on", "any"]),
      nxtsim(["explore", "shutdown-sigquit", "--runs", "10", "--mutant", "notify-twice", "--no-progress"]),
    ]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toMatch(/^0 new, [1-9]\d* known \([1-9]\d* causes?\)$/m);
    expect(any.code).toBe(1);
    expect(mutant.code).toBe(1);
    expect(mutant.stdout).toMatch(/^[1-9]\d* new, /);
    expect(mutant.stdout).toMatch(/^NEW FAILURES: /m);
  });

  it("derives run seeds and fault rates from the base seed alone, round-robin over scenarios", () => {
    const scenarios = [shipped("boot-only"), shipped("two-apps")];
    const runsOf = (seed: number): RunOutcome[] => {
      const runs: RunOutcome[] = [];
      explore({ scenarios, runs: 12, seed, onRun: (o) => runs.push(o) });
      return runs;
    };
    const a = runsOf(5);
    expect(a).toHaveLength(12);
    expect(runsOf(5)).toEqual(a);
    a.forEach((rec, i) => {
      expect(rec.number).toBe(i);
      expect(rec.scenario).toBe(i % 2 === 0 ? "boot-only" : "two-apps");
      expect(rec.seed).toBe(runSeed(5, i));
      expect(rec.faults).toEqual(faultRatesForSeed(rec.seed));
    });
    expect(runsOf(6).map((x) => x.seed)).not.toEqual(a.map((x) => x.seed));
    // Some runs are fault-free and some are not.
    const seeds = Array.from({ length: 40 }, (_, i) => runSeed(1, i));
    const withFaults = seeds.filter((s) => Object.values(faultRatesForSeed(s)).some((v) => v > 0));
    expect(withFaults.length).toBeGreaterThan(0);
    expect(withFaults.length).toBeLessThan(seeds.length);
  });

  it("reports the #600 mutant on shutdown-sigquit (exit 1) and its printed replay reproduces the failure", async () => {
    const r = await nxtsim(["explore", "shutdown-sigquit", "--runs", "20", "--mutant", "600", "--no-progress"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^[1-9]\d* new, \d+ known \(\d+ causes?\)$/m);
    expect(r.stdout).toMatch(/^NEW FAILURES: \d+, \d+ distinct/m);
    expect(r.stdout).toMatch(/\] shutdown-completes on shutdown-sigquit: /);
    const replay = replayLines(r.stdout)[0]!;
    expect(replay).toContain("--mutant 600");
    const again = await runPrinted(replay);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^ {2}FAIL {2}shutdown-completes: /m);
  });

  it("reports the #312 mutant only with clone failures, and not without the mutant", async () => {
    const args = ["explore", "one-app-two-processes", "--runs", "20", "--faults", '{"cloneFail":0.05}', "--no-progress"];
    const mutant = await nxtsim([...args, "--mutant", "312"]);
    expect(mutant.code).toBe(1);
    expect(mutant.stdout).toMatch(/\] no-crash on one-app-two-processes: \w+ \d+ crashed: assertion failed: port .* cleanup/);
    const plain = await nxtsim(args);
    expect(plain.stdout).not.toContain("cleanup");
  });
});

describe("replay", () => {
  it("prints the same trace hash twice, equal to the hash of explore's run for that seed (faults included)", async () => {
    const scenario = shipped("shutdown-sigquit");
    // The first run of base seed 3 whose drawn fault rates are not all zero.
    let index = 0;
    while (Object.values(faultRatesForSeed(runSeed(3, index))).every((v) => v === 0)) index++;
    const seed = runSeed(3, index);
    const faults = faultRatesForSeed(seed);
    const run = runOnce(scenario, { seed, faults });
    const command = replayCommand({ seed, scenario: "shutdown-sigquit", faults, fixes: [], mutants: [] });
    expect(command).toContain("--faults '");

    const first = await runPrinted(command);
    const second = await runPrinted(command);
    expect(hashOf(first.stdout)).toBe(run.sim.traceHash());
    expect(hashOf(second.stdout)).toBe(run.sim.traceHash());
    expect(first.stdout).toContain(`steps: ${run.result.steps}, events: ${run.result.events}, end: ${run.result.reason}`);
    const failed = checkRun({ scenario, ...run }).length > 0;
    expect(first.code).toBe(failed ? 1 : 0);
    expect(first.stdout).toContain(failed ? "verdict: FAIL" : "verdict: pass");
  });

  it("without --faults replays a fault-free run; --trace prints the trace whose sha256 is the hash", async () => {
    const run = runOnce(shipped("two-apps"), { seed: 77, faults: noFaults() });
    const plain = await nxtsim(["replay", "77", "--scenario", "two-apps"]);
    expect(hashOf(plain.stdout)).toBe(run.sim.traceHash());
    const traced = await nxtsim(["replay", "77", "--scenario", "two-apps", "--trace"]);
    expect(traced.stdout + "\n").toBe(run.sim.traceJsonl());
    expect(createHash("sha256").update(traced.stdout + "\n").digest("hex")).toBe(run.sim.traceHash());
    expect(hashOf(traced.stderr)).toBe(run.sim.traceHash());
  });

  it("accepts a scenario file and prints a replay command that names the file", async () => {
    const file = join(REPO, "fixtures", "scenarios", "kill-restart-app.json");
    const r = await nxtsim(["explore", file, "--runs", "2", "--no-progress", "--json", "file.json"]);
    expect(r.stdout).toContain(file);
    const written = JSON.parse(readFileSync(join(scratch, "file.json"), "utf8")) as ExploreResult;
    expect(written.spec.scenarios).toEqual([file]);
    expect(written.perScenario.map((s) => [s.scenario, s.runs])).toEqual([[file, 2]]);
    const seed = runSeed(1, 1);
    const rec = { seed, faults: faultRatesForSeed(seed) };
    const command = replayCommand({ seed: rec.seed, scenario: file, faults: rec.faults, fixes: [], mutants: [] });
    const replayed = await runPrinted(command);
    expect(hashOf(replayed.stdout)).toBe(runOnce(shipped("kill-restart-app"), rec).sim.traceHash());
  });
});

describe("scenarios and check", () => {
  it("scenarios lists every shipped scenario with its description", async () => {
    const r = await nxtsim(["scenarios"]);
    expect(r.code).toBe(0);
    const all = listScenarios();
    expect(all.length).toBeGreaterThanOrEqual(7);
    const lines = r.stdout.split("\n");
    expect(lines).toHaveLength(all.length);
    all.forEach((s, i) => {
      expect(lines[i]!.startsWith(s.name + " ")).toBe(true);
      expect(lines[i]).toContain(s.description);
    });
  });

  it("check fails each invalid example with its one-line error and passes a shipped scenario", async () => {
    const dir = join(REPO, "fixtures", "invalid");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const r = await nxtsim(["check", join("fixtures", "invalid", f)], REPO);
      expect(r.code).toBe(1);
      expectOneLineError(r);
      const expected = loadScenario(join("fixtures", "invalid", f));
      expect(expected.ok).toBe(false);
      if (!expected.ok) expect(r.stderr).toBe(expected.error);
    }
    const ok = await nxtsim(["check", join(REPO, "fixtures", "scenarios", "one-app-isolated.json")]);
    expect(ok).toEqual({ code: 0, stdout: "ok", stderr: "" });
  });
});

describe.concurrent("bad input: one line on stderr, non-zero exit, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown scenario", ["explore", "no-such-scenario", "--runs", "1"], /no shipped scenario named "no-such-scenario"/],
    ["unknown flag", ["explore", "--bogus"], /unknown option '--bogus'/],
    ["bad --runs", ["explore", "--runs", "ten"], /--runs must be a positive integer/],
    ["bad --time", ["explore", "--time", "0"], /--time must be a positive number/],
    ["malformed --seed", ["explore", "--seed", "-3", "--runs", "1"], /--seed must be a non-negative integer/],
    ["malformed replay seed", ["replay", "12ab", "--scenario", "boot-only"], /seed must be a non-negative integer/],
    ["missing scenario file", ["replay", "1", "--scenario", "/no/such/file.json"], /cannot read the file \(ENOENT\)/],
    ["invalid scenario file", ["explore", "fixtures/invalid/unknown-key.json"], /unknown key "delay"/],
    ["unknown fix", ["explore", "boot-only", "--runs", "1", "--fix", "999"], /unknown fix "999"/],
    ["unknown mutant", ["replay", "1", "--scenario", "boot-only", "--mutant", "42"], /unknown mutant "42"/],
    ["bad --faults", ["replay", "1", "--scenario", "boot-only", "--faults", '{"cloneFail":7}'], /cloneFail must be a number from 0 to 1/],
    ["replay without --scenario", ["replay", "1"], /replay needs --scenario/],
    ["unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["no command", [], /missing command/],
    ["unwritable --json", ["explore", "boot-only", "--runs", "1", "--json", "/no/such/dir/x.json"], /cannot write the --json file/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await nxtsim(args, REPO);
      expectOneLineError(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe("launching", () => {
  it("npx nxtsim and npm start work from the repository root", async () => {
    const npx = await execa("npx", ["nxtsim", "scenarios"], { cwd: REPO, reject: false });
    expect(npx.exitCode).toBe(0);
    expect(npx.stdout).toContain("boot-only");
    const start = await execa("npm", ["start", "--silent", "--", "boot-only", "--runs", "3", "--no-progress"], {
      cwd: REPO,
      reject: false,
    });
    // npm start is explore --mix: the named scenario interleaved with generated ones.
    expect(start.stdout).toMatch(/^explored 3 runs over 2 scenarios/m);
    expect(start.stdout).toMatch(/^ {2}generated +1 runs/m);
    expect([0, 1]).toContain(start.exitCode);
  });
});

describe("nxtsim shrink and replay --repro", () => {
  it("shrinks a #600 failure to a run that fails the same check, and its repro replays it", async () => {
    const r = await nxtsim(["shrink", "9", "--scenario", "shutdown-sigquit", "--mutant", "600"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^shrunk: no-zombies: /m);
    // The shrinker shortens the schedule (its choices), not the step count: a shorter
    // schedule may take a few more steps.
    const original = runScenarioOnSim(shipped("shutdown-sigquit"), { seed: 9, mutants: ["600"] });
    const choices = /^steps: \d+ -> \d+, schedule: (\d+) choices/m.exec(r.stdout);
    expect(Number(choices![1])).toBeLessThan(original.sim.choices.length);
    const command = /^replay: (.*)$/m.exec(r.stdout)![1]!;
    const replayed = await runPrinted(command);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toMatch(/^\s+FAIL\s+no-zombies: /m);
    expect(hashOf((await runPrinted(command)).stdout)).toBe(hashOf(replayed.stdout));
  });

  it("refuses to shrink a passing run, and --repro with other run options", async () => {
    const passing = await nxtsim(["shrink", "5", "--scenario", "shutdown-sigquit"]);
    expect(passing.code).toBe(2);
    expect(passing.stderr.trim().split("\n")).toHaveLength(1);
    const mixed = await nxtsim(["replay", "--repro", "x.json", "--scenario", "boot-only"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/takes no seed, --scenario/);
    const missing = await nxtsim(["replay", "--repro", "no-such-file.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
  });
});

// Exploring at scale: worker threads, shards, result files and merge. The claim under test:
// what an exploration finds depends only on the set of runs it made, never on how many
// threads made them, in which order they finished, or how the runs were split into shards.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { explore } from "../../harness/explore.ts";
import type { ExploreOptions } from "../../harness/explore-plan.ts";
import type { ExploreResult } from "../../harness/explore-result.ts";
import { runSeed } from "../../harness/explore-seeds.ts";
import { mergeResults, readResultFile } from "../../harness/result-file.ts";
import { parseShard, runNumber, runsInShard } from "../../harness/shard.ts";
import { emptyTally, mergeTallies, tallyOf, type RunOutcome } from "../../harness/tally.ts";
import { exploreOnWorkers } from "../../harness/workers.ts";
import { parseWorkers } from "../../cli/args.ts";
import { expectOneLineError, REPO, runNxtsim, scratchDir, type CliResult } from "./helpers.ts";

const scratch = scratchDir();
const nxtsim = (args: string[], env: Record<string, string> = {}) => runNxtsim(args, scratch, env);

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

/** An exploration that finds several distinct failures in few runs (#600 put back). */
const FAILING: ExploreOptions = {
  scenarios: [shipped("one-app-isolated"), shipped("shutdown-sigquit")],
  mutants: ["600"],
  seed: 7,
  runs: 48,
};
const FAILING_ARGS = ["explore", "one-app-isolated", "shutdown-sigquit", "--mutant", "600", "--seed", "7", "--runs", "48"];

/** A result without what legitimately differs between equal explorations. */
function comparable(r: ExploreResult): Omit<ExploreResult, "timing" | "shards"> {
  const { timing: _timing, shards: _shards, ...rest } = r;
  return rest;
}

function readResult(name: string): ExploreResult {
  return JSON.parse(readFileSync(join(scratch, name), "utf8")) as ExploreResult;
}

describe("shards", () => {
  it("parses i/n and gives shard i the runs k with k mod n = i-1", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "2", "a/b", "1/2/3", "-1/2", ""]) expect(() => parseShard(bad), bad).toThrow(/--shard must be i\/n/);
    const shard = { index: 2, count: 4 };
    expect([0, 1, 2].map((j) => runNumber(shard, j))).toEqual([1, 5, 9]);
    // runs 0..9: shard 2/4 has 1, 5, 9; shard 4/4 has 3, 7; all shards together have all 10.
    expect(runsInShard(shard, 10)).toBe(3);
    expect(runsInShard({ index: 4, count: 4 }, 10)).toBe(2);
    expect([1, 2, 3, 4].reduce((n, index) => n + runsInShard({ index, count: 4 }, 10), 0)).toBe(10);
    expect(runsInShard({ index: 4, count: 4 }, 2)).toBe(0);
  });
});

describe("tallies and merge, in process", () => {
  const whole = explore(FAILING);

  it("the exploration used here finds several distinct failures", () => {
    expect(whole.runs).toBe(48);
    expect(whole.distinct.length).toBeGreaterThanOrEqual(2);
    // Each distinct failure is kept with the lowest-numbered run that had it, in run order.
    const runs = whole.distinct.map((d) => d.run);
    expect([...runs].sort((a, b) => a - b)).toEqual(runs);
    for (const d of whole.distinct) expect(d.seed).toBe(runSeed(7, d.run));
  });

  it("merging the runs' tallies in any order gives the same tally", () => {
    const outcomes: RunOutcome[] = [];
    explore({ ...FAILING, onRun: (o) => outcomes.push(o) });
    const refs = whole.spec.scenarios;
    const tallies = outcomes.map((o) => tallyOf(o, refs));
    const inOrder = tallies.reduce(mergeTallies, emptyTally(refs));
    const reversed = [...tallies].reverse().reduce(mergeTallies, emptyTally(refs));
    // Pairs of halves, the second half first: another grouping and order.
    const half = tallies.length / 2;
    const grouped = mergeTallies(tallies.slice(half).reduce(mergeTallies), tallies.slice(0, half).reduce(mergeTallies));
    expect(reversed).toEqual(inOrder);
    expect(grouped).toEqual(inOrder);
    expect(comparable(whole)).toMatchObject(inOrder);
  });

  it("shards 1/3, 2/3, 3/3 merged (in any order) equal the unsharded exploration", () => {
    const shards = [1, 2, 3].map((index) => explore({ ...FAILING, shard: { index, count: 3 } }));
    expect(shards.map((s) => s.runs)).toEqual([16, 16, 16]);
    const merged = mergeResults([shards[2]!, shards[0]!, shards[1]!].map((result, i) => ({ file: `r${i}.json`, result })));
    expect(comparable(merged)).toEqual(comparable(whole));
    expect(merged.shards.map((s) => [s.index, s.runs, s.first, s.last])).toEqual([
      [1, 16, 0, 45],
      [2, 16, 1, 46],
      [3, 16, 2, 47],
    ]);
  });

  it("on a time budget, the runs that worker threads made are the first ones", async () => {
    const options: ExploreOptions = { scenarios: [shipped("two-apps")], seed: 3 };
    // The run in progress is cut when the time is up: on a loaded machine the workers may not
    // finish a run within a short budget, so the budget doubles until they do.
    let timed = await exploreOnWorkers({ ...options, timeSeconds: 2.5 }, 2);
    for (let seconds = 5; timed.runs === 0 && seconds <= 20; seconds *= 2) timed = await exploreOnWorkers({ ...options, timeSeconds: seconds }, 2);
    expect(timed.stoppedBy).toBe("time");
    expect(timed.runs).toBeGreaterThan(0);
    expect(timed.shards).toEqual([{ index: 1, count: 1, runs: timed.runs, first: 0, last: timed.runs - 1 }]);
    const counted = explore({ ...options, runs: timed.runs });
    expect({ ...comparable(timed), stoppedBy: null, spec: null }).toEqual({ ...comparable(counted), stoppedBy: null, spec: null });
  });
});

describe("explore --workers, end to end", () => {
  it("finds the same failures on 1 and 2 worker threads as in the main thread: results equal apart from timing", async () => {
    const [main, one, two] = await Promise.all([
      nxtsim([...FAILING_ARGS, "--json", "main.json"]),
      nxtsim([...FAILING_ARGS, "--workers", "1", "--json", "one.json"]),
      nxtsim([...FAILING_ARGS, "--workers", "2", "--json", "two.json"]),
    ]);
    for (const r of [main, one, two]) expect(r.code, r.stderr).toBe(1);
    const [m, w1, w2] = ["main.json", "one.json", "two.json"].map(readResult);
    expect(m!.format).toBe("nxtsim-result/3");
    expect(m!.distinct.length).toBeGreaterThanOrEqual(2);
    expect({ ...w1!, timing: null }).toEqual({ ...m!, timing: null });
    expect({ ...w2!, timing: null }).toEqual({ ...m!, timing: null });
    expect([m!.timing.workers, w1!.timing.workers, w2!.timing.workers]).toEqual([0, 1, 2]);
    // And the same as explore() in-process.
    expect(comparable(m!)).toEqual(comparable(explore(FAILING)));
    // The summaries list the same failures with the same replay commands.
    const failures = (r: CliResult) => r.stdout.slice(r.stdout.indexOf("\nchecks: "));
    expect(failures(two)).toBe(failures(main));
    expect(two.stdout).toMatch(/events: \d+ \(\d+ events\/s\), steps: \d+, 2 worker threads/);
    // Not a TTY: plain progress lines on stderr.
    expect(two.stderr).toMatch(/^progress: \d+% \d+ runs/m);
  });

  it("a worker that throws or dies ends the exploration with one line naming it (exit 1), never a hang", async () => {
    const args = ["explore", "two-apps", "--runs", "200", "--workers", "2", "--no-progress"];
    const [thrown, died] = await Promise.all([
      nxtsim(args, { NXTSIM_TEST_WORKER_FAULT: "throw@13" }),
      nxtsim(args, { NXTSIM_TEST_WORKER_FAULT: "exit@13" }),
    ]);
    expectOneLineError(thrown);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toMatch(/^nxtsim: internal error: worker [12]: injected fault at run 13/);
    expectOneLineError(died);
    expect(died.code).toBe(1);
    expect(died.stderr).toMatch(/^nxtsim: internal error: worker [12] exited unexpectedly \(exit code 3\)/);
  });
});

describe("explore --shard and merge, end to end", () => {
  it("shards 1/2 and 2/2 merged equal the unsharded exploration", async () => {
    const [, , whole] = await Promise.all([
      nxtsim([...FAILING_ARGS, "--shard", "1/2", "--json", "s1.json", "--no-progress"]),
      nxtsim([...FAILING_ARGS, "--shard", "2/2", "--workers", "2", "--json", "s2.json", "--no-progress"]),
      nxtsim([...FAILING_ARGS, "--json", "whole.json", "--no-progress"]),
    ]);
    const s1 = readResult("s1.json");
    expect(s1.shards).toEqual([{ index: 1, count: 2, runs: 24, first: 0, last: 46 }]);
    const merged = await nxtsim(["merge", "s2.json", "s1.json", "--json", "merged.json"]);
    expect(merged.code).toBe(whole.code);
    expect(merged.stderr).toBe("");
    expect(merged.stdout).toMatch(/^merged 2 results: 48 runs over 2 scenarios in [\d.]+ s of shard time \(base seed 7/m);
    expect(merged.stdout).toMatch(/^ {2}shard 2\/2: 24 runs, numbers 1 to 47 step 2$/m);
    expect(merged.stdout).not.toContain("missing");
    expect(merged.stdout.slice(merged.stdout.indexOf("events:")).replace(/\(\d+ events\/s\)[^\n]*/, "")).toBe(
      whole.stdout.slice(whole.stdout.indexOf("events:")).replace(/\(\d+ events\/s\)[^\n]*/, ""),
    );
    expect(comparable(readResult("merged.json"))).toEqual(comparable(readResult("whole.json")));
    // A merged result is a result: it merges and reads like one.
    expect(readResultFile(join(scratch, "merged.json")).runs).toBe(48);
  });

  describe("merge refuses what it cannot merge", () => {
    const write = (name: string, value: unknown): string => {
      writeFileSync(join(scratch, name), typeof value === "string" ? value : JSON.stringify(value));
      return name;
    };
    const bootOnly = (more: Partial<ExploreOptions> = {}) => explore({ scenarios: [shipped("boot-only")], runs: 4, ...more });
    const base = bootOnly({ shard: { index: 1, count: 2 } });
    const files = {
      a: write("m-a.json", base),
      b: write("m-b.json", bootOnly({ shard: { index: 2, count: 2 }, fixes: ["633"] })),
      whole: write("m-whole.json", bootOnly()),
      thirds: write("m-thirds.json", bootOnly({ shard: { index: 2, count: 3 } })),
      seed: write("m-seed.json", bootOnly({ seed: 2, shard: { index: 2, count: 2 } })),
      notJson: write("m-bad.json", "{ nope"),
      scenario: join(REPO, "fixtures", "scenarios", "boot-only.json"),
      future: write("m-future.json", { ...base, format: "nxtsim-result/4" }),
      old: write("m-old.json", { ...base, format: "nxtsim-result/1" }),
      pct: write("m-pct.json", bootOnly({ shard: { index: 2, count: 2 }, strategy: { name: "pct", depth: 3, steps: 50 } })),
      edited: write("m-edited.json", { ...base, runs: -1 }),
      lying: write("m-lying.json", { ...base, runs: 3 }),
    };
    const cases: [string, string[], RegExp][] = [
      ["a missing file", [files.a, "m-none.json"], /^m-none\.json: cannot read the file \(ENOENT\)$/],
      ["a file that is not JSON", [files.notJson], /^m-bad\.json: line 1, column 3: not valid JSON/],
      ["a file that is not a result", [files.scenario], /boot-only\.json: not an nxtsim result file \(no "format": "nxtsim-result\/3"\)/],
      ["another format version", [files.future], /^m-future\.json: result format nxtsim-result\/4 is not supported/],
      ["a result of the format before strategies", [files.old], /^m-old\.json: result format nxtsim-result\/1 is not supported \(this nxtsim reads nxtsim-result\/3; make the result again with explore --json\)$/],
      ["a different strategy", [files.a, files.pct], /^m-pct\.json is not from the same exploration as m-a\.json \(--strategy \{"name":"random"\} vs \{"name":"pct","depth":3,"steps":50\}\)/],
      ["an invalid field", [files.edited], /^m-edited\.json: runs must be a non-negative integer/],
      ["counts that do not add up", [files.lying], /^m-lying\.json: runs must be the sum of the runs of its shards/],
      ["different fixes", [files.a, files.b], /^m-b\.json is not from the same exploration as m-a\.json \(--fix \[\] vs \["633"\]\)/],
      ["a different base seed", [files.a, files.seed], /^m-seed\.json is not from the same exploration as m-a\.json \(--seed 1 vs 2\)/],
      ["the same shard twice", [files.a, files.a], /^m-a\.json and m-a\.json both hold shard 1\/2: overlapping runs/],
      ["a shard and the whole", [files.a, files.whole], /^m-whole\.json: shard 1\/1 does not fit the shards of 2 of m-a\.json/],
      ["different shard counts", [files.a, files.thirds], /^m-thirds\.json: shard 2\/3 does not fit the shards of 2/],
    ];
    for (const [what, names, message] of cases) {
      it(what, () => {
        const cwd = process.cwd();
        process.chdir(scratch);
        try {
          expect(() => mergeResults(names.map((file) => ({ file, result: readResultFile(file) })))).toThrow(message);
        } finally {
          process.chdir(cwd);
        }
      });
    }

    it.concurrent.each([
      [[files.a, "m-none.json"], /^nxtsim: error: m-none\.json: cannot read the file/],
      [[files.a, files.a], /^nxtsim: error: m-a\.json and m-a\.json both hold shard 1\/2/],
    ])("on the command line: one line, exit 2 (%j)", async (names, message) => {
      const r = await nxtsim(["merge", ...names]);
      expectOneLineError(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  });
});

describe("bad --workers and --shard: one line, exit 2", () => {
  it("names the flag and the value", () => {
    for (const bad of ["0", "two", "65", "1.5", "-1"]) {
      expect(() => parseWorkers(bad)).toThrow(`--workers must be an integer from 1 to 64, got "${bad}"`);
    }
    expect(parseWorkers("64")).toBe(64);
    expect(() => parseShard("3/2")).toThrow(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), got "3/2"`);
  });

  it.concurrent.each([
    [["--workers", "0"], /^nxtsim: error: --workers must be an integer from 1 to 64, got "0"$/],
    [["--shard", "half"], /^nxtsim: error: --shard must be i\/n with 1 <= i <= n \(e\.g\. 2\/4\), got "half"$/],
  ])("on the command line: %j", async (flags, message) => {
    const r = await nxtsim(["explore", "boot-only", "--runs", "2", ...flags]);
    expectOneLineError(r);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
  });
});

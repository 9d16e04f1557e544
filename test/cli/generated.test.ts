// explore with generated scenarios (issue 15): a run's scenario follows from its seed, so a
// generated run replays byte-identically from the seed, shards and workers merge to the
// unsharded exploration, failures are attributed by cause as for shipped scenarios, a
// generated failure shrinks, and a mutant that only a shutdown signal during boot exposes
// (modules-while-exiting) is found with --generate and not by the shipped scenarios alone.
//
// The base seed 2 and 14 runs are what finds that mutant with today's generator (its first
// generated failure is run 13); a change of the genome redraws every scenario: pick a seed
// again with a few explore --generate --mutant modules-while-exiting --seed S --runs 14.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { explore } from "../../harness/explore.ts";
import type { ExploreOptions } from "../../harness/explore-plan.ts";
import type { ExploreResult } from "../../harness/explore-result.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { GENERATED, generatedScenario, generatedScenarioJson } from "../../harness/generated.ts";
import { mergeResults } from "../../harness/result-file.ts";
import { exploreOnWorkers } from "../../harness/workers.ts";
import { checkRun } from "../../harness/checks.ts";
import { shrinkRun } from "../../properties/shrink.ts";
import { runNxtsim, runPrinted, scratchDir } from "./helpers.ts";

const scratch = scratchDir();
const MUTANT = "modules-while-exiting";
const BOOT: ExploreOptions = { scenarios: [GENERATED], seed: 2, runs: 14, mutants: [MUTANT] };

function comparable(r: ExploreResult): Omit<ExploreResult, "timing" | "shards"> {
  const { timing: _timing, shards: _shards, ...rest } = r;
  return rest;
}

const fresh = (r: ExploreResult) => r.distinct.filter((d) => d.cause === null);

describe("explore --generate", () => {
  const whole = explore(BOOT);

  it("finds the boot-signal mutant, which the shipped scenarios alone miss (same seed, same runs)", () => {
    expect(fresh(whole).map((d) => d.check)).toContain("shutdown-completes");
    const shipped = explore({ ...BOOT, scenarios: listScenarios() });
    expect(shipped.runs).toBe(whole.runs);
    expect(fresh(shipped)).toEqual([]);
  });

  it("attributes generated failures by cause: known ones to the fix that removes them from the same run", () => {
    const known = whole.distinct.filter((d) => d.cause !== null);
    expect(known.length).toBeGreaterThan(0);
    const d = known[0]!;
    const scenario = generatedScenario(d.seed);
    const failsWith = (fixes: string[]) => checkRun({ scenario, ...runOnce(scenario, { seed: d.seed, faults: d.faults, fixes, mutants: [MUTANT] }) }).some((f) => f.check === d.check && f.reason === d.reason);
    expect(failsWith([])).toBe(true);
    expect(failsWith(d.cause!.split("+"))).toBe(false);
  });

  it("replays a generated run byte-identically from its seed", () => {
    for (const d of whole.distinct.slice(0, 3)) {
      const hash = () => runOnce(generatedScenario(d.seed), { seed: d.seed, faults: d.faults, mutants: [MUTANT] }).sim.traceHash();
      expect(hash()).toBe(hash());
    }
  });

  it("shards (one on worker threads) merge to the unsharded exploration", async () => {
    const s1 = explore({ ...BOOT, shard: { index: 1, count: 2 } });
    const s2 = await exploreOnWorkers({ ...BOOT, shard: { index: 2, count: 2 } }, 2);
    const merged = mergeResults([s2, s1].map((result, i) => ({ file: `s${i}.json`, result })));
    expect(comparable(merged)).toEqual(comparable(whole));
  });

  it("a generated failure shrinks to a smaller scenario failing the same check with the same cause", () => {
    const d = fresh(whole)[0]!;
    const input = { scenario: generatedScenarioJson(d.seed), seed: d.seed, faults: d.faults, fixes: [], mutants: [MUTANT], check: d.check };
    const shrunk = shrinkRun(input);
    expect(shrunk.check).toBe(d.check);
    expect(shrunk.cause).toBeNull();
    const size = (s: unknown) => JSON.stringify(s).length;
    expect(size(shrunk.scenario)).toBeLessThan(size(input.scenario));
  });
});

describe("explore --generate end to end", () => {
  it("prints the seed and the one replay command, and writes the scenario file, which check accepts and replays the same run", async () => {
    const r = await runNxtsim(["explore", "--generate", "--seed", "2", "--runs", "14", "--mutant", MUTANT, "--no-progress"], scratch);
    expect(r.code).toBe(1);
    const replay = /^ {6}replay: (npx nxtsim replay \d+ --scenario generated .*)$/m.exec(r.stdout)?.[1];
    const file = /^ {6}scenario file: (\S+)/m.exec(r.stdout)?.[1];
    expect(replay).toBeDefined();
    expect(file).toBeDefined();
    expect(existsSync(join(scratch, file!))).toBe(true);
    expect((await runNxtsim(["check", file!], scratch)).stdout.trim()).toBe("ok");
    const bySeed = await runPrinted(replay!, scratch);
    const byFile = await runPrinted(replay!.replace("--scenario generated", `--scenario ${file}`), scratch);
    const hash = (out: string) => /^trace hash: (\w+)$/m.exec(out)?.[1];
    expect(bySeed.code).toBe(1);
    expect(hash(bySeed.stdout)).toBeDefined();
    expect(hash(byFile.stdout)).toBe(hash(bySeed.stdout));
    expect(readFileSync(join(scratch, file!), "utf8")).toContain('"description": "a generated scenario"');
  });
});

// `nxtsim explore --strategy branch` from the command line: a branched failure's printed
// replay line (a repro it wrote) replays it, its summary names no seed for it, and what cannot
// work with it (workers, shards, shrink, merge) is refused in one line.

import { describe, expect, it } from "vitest";

import { expectOneLineError, runNxtsim, runPrinted, scratchDir } from "./helpers.ts";

const cwd = scratchDir();

describe("explore --strategy branch", () => {
  it("prints a replay --repro line for a branched failure, and that line fails the same check", async () => {
    const r = await runNxtsim(["explore", "--strategy", "branch", "--runs", "60", "--mutant", "600", "--fix", "633", "--faults", "{}", "--no-progress", "--json", "r.json", "router-dies-at-stop"], cwd);
    expect(r.stdout).toMatch(/strategy branch/);
    const [, first, line] = /no-zombies on router-dies-at-stop[^\n]*\n([^\n]*)\n\s+replay: (npx nxtsim replay --repro \S+)/.exec(r.stdout) ?? [];
    expect(line, r.stdout).toBeDefined();
    // No seed is offered as the run's: it says where the copy it went on from was taken.
    expect(first).toMatch(/first in run \d+ \(branched from a copy of run \d+'s world at step \d+, a world begun from seed \d+: the repro below replays it, no seed does\)/);
    const replayed = await runPrinted(line!, cwd);
    expect(replayed.stdout + replayed.stderr).toMatch(/FAIL\s+no-zombies/);
    // Its --json result is whole, and merge (of shards) refuses it in one line.
    expectOneLineError(await runNxtsim(["merge", "r.json"], cwd));
  });

  it.each([["--workers", "2"], ["--shard", "1/2"], ["--shrink"], ["--summary-md", "s.md"]])("refuses %s in one line", async (...flag) => {
    expectOneLineError(await runNxtsim(["explore", "--strategy", "branch", "--runs", "2", ...flag, "router-dies-at-stop"], cwd));
  });

  it("is explore's only: replay refuses it", async () => {
    expectOneLineError(await runNxtsim(["replay", "1", "--scenario", "router-dies-at-stop", "--strategy", "branch"], cwd));
  });
});

// The CI job summary nxtsim writes (merge/explore --summary-md FILE), as the explore workflow
// makes it: two shards explored with --json, merged by the workflow's own merge command line
// (--shrink, --summary-md). The
// Markdown's counts are the result's, each new failure has its replay command, its shrunk
// repro's (which replays it) and a Mermaid picture Mermaid parses (also written as a file),
// and each known cause has a row.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mermaid from "mermaid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { countsLine } from "../../cli/report.ts";
import type { ExploreResult } from "../../harness/explore-result.ts";
import { REPO, runMain } from "./helpers.ts";

const run = runMain;

/** The merge command of .github/workflows/explore.yml, as its words. */
const WORKFLOW_MERGE = (() => {
  const line = /^\s+- run: npx nxtsim (merge .*)$/m.exec(readFileSync(join(REPO, ".github", "workflows", "explore.yml"), "utf8"))![1]!;
  expect(line).toContain("--summary-md summary.md");
  return line.split(/\s+/);
})();

const home = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), "nxtsim-summary-"));
afterAll(() => {
  process.chdir(home);
  rmSync(scratch, { recursive: true, force: true });
});

describe("merge --shrink --summary-md, as the explore workflow runs it", () => {
  const EXPLORE = ["explore", "shutdown-sigquit", "one-app-isolated", "--runs", "6", "--mutant", "notify-twice", "--no-progress"];
  let markdown = "";
  let merged: ExploreResult;
  let stdout = "";
  beforeAll(async () => {
    process.chdir(scratch);
    // A shard exits 1 when it found a new failure, 0 when not.
    for (const shard of [1, 2]) expect([0, 1]).toContain((await run([...EXPLORE, "--shard", `${shard}/2`, "--json", `result-${shard}.json`])).code);
    const r = await run(WORKFLOW_MERGE.flatMap((a) => (a === "result-*.json" ? ["result-1.json", "result-2.json"] : [a])));
    expect(r.code, r.err).toBe(1);
    stdout = r.out;
    markdown = readFileSync("summary.md", "utf8");
    merged = JSON.parse(readFileSync("merged.json", "utf8")) as ExploreResult;
  });

  it("heads with the result's counts, new and known", () => {
    const fresh = merged.distinct.filter((d) => d.cause === null);
    const known = merged.distinct.filter((d) => d.cause !== null);
    expect(fresh.length).toBeGreaterThan(0);
    expect(known.length).toBeGreaterThan(0);
    const sum = (ds: typeof fresh) => ds.reduce((n, d) => n + d.count, 0);
    expect(markdown.split("\n").slice(0, 8)).toEqual([
      `## nxtsim: ${countsLine(merged.distinct)}`,
      "",
      `${merged.runs} runs over 2 scenarios (base seed 1, strategy random, stopped by runs; fixes: none; mutants: notify-twice).`,
      "",
      "| failures | distinct | count |",
      "|---|---:|---:|",
      `| new (no known fix removes them) | ${fresh.length} | ${sum(fresh)} |`,
      `| known (a known fix removes them) | ${known.length} | ${sum(known)} |`,
    ]);
  });

  it("gives each new failure its replay command, its shrunk repro's, and a picture Mermaid parses", async () => {
    const fresh = merged.distinct.filter((d) => d.cause === null);
    const sections = markdown.split(/^#### /m).slice(1);
    expect(sections).toHaveLength(fresh.length);
    for (const [i, d] of fresh.entries()) {
      const section = sections[i]!;
      expect(section.startsWith(`${i + 1}. \`${d.check}\` on \`${d.scenario}\``)).toBe(true);
      const commands = /```sh\n([\s\S]*?)\n```/.exec(section)![1]!.split("\n");
      expect(commands[0]).toBe(d.replay);
      const repro = /^npx nxtsim replay --repro (\S+) {3}# shrunk; removed: /.exec(commands[1]!)![1]!;
      // The same line as the text summary's, and the repro replays the failure's check.
      expect(stdout).toContain(`shrunk: npx nxtsim replay --repro ${repro} (`);
      const replayed = await run(["replay", "--repro", repro]);
      expect(replayed.code).toBe(1);
      expect(replayed.out).toMatch(new RegExp(`^ {2}FAIL {2}${d.check}: `, "m"));
      const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(section)![1]!;
      await expect(mermaid.parse(diagram)).resolves.toMatchObject({ diagramType: "sequence" });
      expect(readFileSync(join("summary-pictures", `new-${i + 1}.mmd`), "utf8").trimEnd()).toBe(diagram);
    }
    expect(readdirSync("summary-pictures")).toHaveLength(Math.min(fresh.length, 10));
  });

  it("gives each known cause a row with a replay command", () => {
    const causes = [...new Set(merged.distinct.flatMap((d) => (d.cause === null ? [] : [d.cause])))].sort();
    const rows = markdown.split("\n").filter((l) => /^\| [^|]+ \| \d+ \| \d+ \| [^|]+ \| `npx nxtsim replay /.test(l));
    expect(rows.map((l) => l.split(" | ")[0]!.slice(2))).toEqual(causes);
  });
});

describe("explore --summary-md without failures", () => {
  it("says so", async () => {
    process.chdir(scratch);
    const r = await run(["explore", "boot-only", "--runs", "2", "--no-progress", "--summary-md", "clean.md"]);
    expect(r.code).toBe(0);
    const md = readFileSync("clean.md", "utf8");
    expect(md).toMatch(/^## nxtsim: 0 new, 0 known \(0 causes\)\n/);
    expect(md).toMatch(/\nNo failures\.\n$/);
    expect(md).not.toMatch(/```mermaid/);
  });
});

describe("explore --shrink SECONDS bounds each shrink", () => {
  it("a shrink that does not finish in time is stopped and said so under the failure", async () => {
    process.chdir(scratch);
    const r = await run(["explore", "shutdown-sigquit", "--runs", "1", "--mutant", "notify-twice", "--no-progress", "--shrink", "0.001"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {6}replay: npx nxtsim replay \d+ --scenario shutdown-sigquit --mutant notify-twice\n {6}not shrunk: did not finish within 0\.001 s \(--shrink SECONDS allows more\)$/m);
  });

  it("refuses a bad time, and --shrink with the exhaustive search", async () => {
    expect(await run(["explore", "--runs", "1", "--shrink", "soon"])).toEqual({ code: 2, out: "", err: 'nxtsim: error: --shrink must be a positive number of seconds, got "soon"\n' });
    const exhaustive = await run(["explore", "--strategy", "exhaustive", "boot-only", "--shrink"]);
    expect(exhaustive.code).toBe(2);
    expect(exhaustive.err).toMatch(/takes no --shrink/);
  });
});

// Interrupting explore keeps what it found: a real SIGINT or SIGTERM sent to the CLI, on the
// main thread and on worker threads, stops the runs; the summary of every run made is printed,
// the --json result (stopped by "interrupted") is whole and merges, the exit code is 130, and
// nothing but the result file is left in the folder. Result files are written atomically.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { execa } from "execa";
import { describe, expect, it } from "vitest";

import { exploreSummary } from "../../cli/report.ts";
import { checkWritable, writeFileAtomic } from "../../harness/atomic-file.ts";
import { readResultFile } from "../../harness/result-file.ts";
import { BIN, runNxtsim, scratchDir } from "./helpers.ts";

const scratch = scratchDir();

/** Starts `explore --time 30 --json result.json` in a folder of its own; signals it once it has reported progress. */
async function interruptedExplore(name: string, extra: string[], signal: "SIGINT" | "SIGTERM") {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const child = execa(process.execPath, [BIN, "explore", "--time", "30", "--json", "result.json", ...extra], { cwd: dir, reject: false });
  // Not a TTY: a progress line per tenth of the time budget; the first shows runs were made.
  await new Promise<void>((resolve) => child.stderr!.on("data", (d: Buffer) => d.toString().includes("progress:") && resolve()));
  child.kill(signal);
  const r = await child;
  return { dir, code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe("explore interrupted by a signal", () => {
  it("reports, writes a whole result that merges, exits 130 and leaves no temporary file (main thread: SIGINT; workers: SIGTERM)", async () => {
    const [main, workers] = await Promise.all([
      interruptedExplore("main", ["--seed", "3"], "SIGINT"),
      interruptedExplore("workers", ["--seed", "3", "--workers", "2"], "SIGTERM"),
    ]);
    for (const [r, signal] of [[main, "SIGINT"], [workers, "SIGTERM"]] as const) {
      expect(r.code, r.stderr).toBe(130);
      expect(readdirSync(r.dir)).toEqual(["result.json"]);
      const result = readResultFile(join(r.dir, "result.json"));
      expect(result.stoppedBy).toBe("interrupted");
      expect(result.runs).toBeGreaterThan(0);
      // Everything found before the signal, and nothing lost: the runs are the first ones.
      expect(result.distinct.length).toBeGreaterThan(0);
      expect(result.shards).toEqual([{ index: 1, count: 1, runs: result.runs, first: 0, last: result.runs - 1 }]);
      // The summary is the normal one, of exactly what the result file holds.
      expect(r.stdout + "\n").toBe(exploreSummary(result));
      expect(r.stdout).toContain("stopped by an interrupt");
      expect(r.stderr.trim().split("\n").at(-1)).toBe(`nxtsim: interrupted (${signal}) after ${result.runs} runs; the summary and the --json file cover them`);
    }
    expect(readResultFile(join(workers.dir, "result.json")).timing.workers).toBe(2);

    const merged = await runNxtsim(["merge", "result.json", "--json", "merged.json"], main.dir);
    expect(merged.stderr).toBe("");
    expect(merged.stdout).toMatch(/^merged 1 result: \d+ runs .*stopped by an interrupt/m);
    expect(readResultFile(join(main.dir, "merged.json")).stoppedBy).toBe("interrupted");
    expect(readdirSync(main.dir).sort()).toEqual(["merged.json", "result.json"]);
  });
});

describe("result files are written whole", () => {
  it("replaces the file in one rename and leaves no temporary file, also when the write fails", () => {
    const dir = join(scratch, "atomic");
    mkdirSync(dir);
    const file = join(dir, "r.json");
    writeFileSync(file, "old\n");
    writeFileAtomic(file, "new\n");
    expect(readFileSync(file, "utf8")).toBe("new\n");
    // A folder in the target's place: the rename fails, and the temporary file goes with it.
    mkdirSync(join(dir, "taken"));
    expect(() => writeFileAtomic(join(dir, "taken"), "x")).toThrow(/EISDIR|EEXIST|ENOTEMPTY/);
    expect(readdirSync(dir).sort()).toEqual(["r.json", "taken"]);
  });

  it("checks that a file can be written without creating it", () => {
    const dir = join(scratch, "probe");
    mkdirSync(dir);
    checkWritable(join(dir, "later.json"));
    expect(readdirSync(dir)).toEqual([]);
    expect(() => checkWritable(dir)).toThrow(/is a directory/);
    expect(() => checkWritable(join(dir, "no", "such.json"))).toThrow(/ENOENT/);
  });

  it("explore --json naming a folder fails before any run, in one line, and creates nothing", async () => {
    const dir = join(scratch, "unwritable");
    mkdirSync(join(dir, "sub"), { recursive: true });
    const r = await runNxtsim(["explore", "boot-only", "--runs", "1", "--json", "sub"], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("nxtsim: error: cannot write the --json file sub (EISDIR)");
    expect(readdirSync(dir)).toEqual(["sub"]);
    expect(readdirSync(join(dir, "sub"))).toEqual([]);
  });
});

// The commit A/B bench section (bench/commit-ab.ts) on its smallest setting: it runs an
// earlier commit and this checkout in child processes, reports both figures with finite ratios, and leaves
// no unpacked tree behind. (Its figures are judged in `npm run bench -- ab`, not here.)

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { commitAb } from "../../bench/commit-ab.ts";
import { benchTempDir } from "../../bench/commit-tree.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const unpacked = () => readdirSync(tmpdir()).filter((n) => n.startsWith("nxtsim-commit-ab-"));

describe("bench: commit A/B", () => {
  it("measures this checkout against a commit and the commit against itself, and removes both copies", async () => {
    const head = execFileSync("git", ["-C", ROOT, "rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).trim();
    const before = unpacked();
    const figures = await commitAb(ROOT, head, 1, 1, 1, 20);
    expect(figures.map((f) => f.name)).toEqual([
      `commit A/B: this checkout against ${head}`,
      `commit A/B control: ${head} against a second copy of itself, in the same rounds`,
    ]);
    for (const f of figures) {
      expect(f.measured.value).toBeGreaterThan(0);
      expect(f.baseline.value).toBeGreaterThan(0);
      expect(Number.isFinite(f.ratio) && f.ratio > 0).toBe(true);
    }
    expect(unpacked()).toEqual(before);
  }, 60_000);

  it("refuses a commit git does not know, leaving nothing behind", async () => {
    const before = unpacked();
    await expect(commitAb(ROOT, "0000000000000000000000000000000000000000", 1, 1, 1, 20)).rejects.toThrow();
    expect(unpacked()).toEqual(before);
  });

  it("removes the directories that benches no longer running left behind, and only those", () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // exited and reaped: no process has this pid now
    const stale = join(tmpdir(), `nxtsim-commit-ab-${gone}-stale`);
    const live = join(tmpdir(), `nxtsim-commit-ab-${process.pid}-live`);
    const older = join(tmpdir(), "nxtsim-commit-ab-noPid"); // named before pids were: cannot tell, kept
    for (const dir of [stale, live, older]) mkdirSync(dir);
    try {
      const made = benchTempDir("nxtsim-commit-ab-");
      expect(made.dir.startsWith(join(tmpdir(), `nxtsim-commit-ab-${process.pid}-`))).toBe(true);
      expect([existsSync(stale), existsSync(live), existsSync(older)]).toEqual([false, true, true]);
      made.remove();
      expect(existsSync(made.dir)).toBe(false);
    } finally {
      for (const dir of [stale, live, older]) rmSync(dir, { recursive: true, force: true });
    }
  });
});

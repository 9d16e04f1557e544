// Building a bundle leaves nothing behind when it is interrupted (harness/bundle.ts): a
// harness SIGKILLed while esbuild runs leaves no file at all, and the temporary file of a
// process that is gone is removed by the next build of the same bundle.

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { execa } from "execa";
import { describe, expect, it } from "vitest";

import { bundleOnce, temporaryName } from "../../harness/bundle.ts";
import { REPO, scratchDir } from "../cli/helpers.ts";
import { until } from "../cli/job-processes.ts";

const scratch = scratchDir();
const ENTRY = join(REPO, "real", "process-main.ts");
const CHILD = join(REPO, "test", "setup", "bundle-child.ts");

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

describe("bundles leave no debris", () => {
  it("a harness SIGKILLed while esbuild bundles leaves no file", async () => {
    const dir = join(scratch, "killed");
    mkdirSync(dir);
    const harness = execa(process.execPath, ["--import", "tsx", CHILD, ENTRY, join(dir, "process-main.bundle.mjs")], { cwd: REPO, reject: false });
    let esbuild = 0;
    // esbuild as the harness's child, bundling our entry (tsx's own esbuild service is another).
    const seen = await until(() => {
      esbuild = childrenOf(harness.pid!).find((pid) => cmdline(pid).includes(ENTRY)) ?? 0;
      return esbuild !== 0 || harness.exitCode !== null;
    }, 60_000);
    expect(seen && esbuild !== 0, "esbuild was never seen running").toBe(true);
    harness.kill("SIGKILL");
    await harness;
    // The orphaned esbuild finishes (or dies of its closed pipe) before anything is looked at.
    expect(await until(() => cmdline(esbuild).length === 0 || !cmdline(esbuild).includes(ENTRY), 60_000)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("the next build removes the temporary files of processes that are gone, and only those", () => {
    const dir = join(scratch, "stale");
    mkdirSync(dir);
    const out = join(dir, "process-main.bundle.mjs");
    const gone = spawnSync("true").pid!;
    const living = process.ppid;
    for (const name of [temporaryName(out, gone), temporaryName(out, living), `${out}.x.tmp`, "other.mjs.1.tmp"]) writeFileSync(name.includes("/") ? name : join(dir, name), "");
    bundleOnce(ENTRY, out);
    expect(readdirSync(dir).sort()).toEqual(["other.mjs.1.tmp", "process-main.bundle.mjs", `process-main.bundle.mjs.${living}.tmp`, "process-main.bundle.mjs.x.tmp"].sort());
  });
});

// An earlier commit's sources unpacked beside this checkout (git archive, sharing its
// node_modules), so that an A/B bench runs both trees under the same load, and the temporary
// directories the A/B benches write (trees, samplers). Nothing is written into the checkout.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { processExists } from "../harness/bundle.ts";

/**
 * A temporary directory `<prefix><pid>-XXXXXX` of this process; `remove` deletes it. The
 * directories of the same prefix whose process no longer runs are removed first: a bench
 * stopped by SIGTERM or SIGHUP ends before its sections' cleanup runs (its child samples block
 * any signal handler), and the next bench takes its directories away.
 */
export function benchTempDir(prefix: string): { dir: string; remove: () => void } {
  removeStale(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function removeStale(prefix: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    if (pid !== undefined && !processExists(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** Unpacks `commit` of the repository at `root` into a temporary directory; `remove` deletes it. Nothing is left when it fails. */
export function commitTree(root: string, commit: string, prefix: string): { dir: string; remove: () => void } {
  // Checked first: `git archive | tar` reports a bad commit as tar's complaint about its input.
  try {
    execFileSync("git", ["-C", root, "rev-parse", "--verify", "--quiet", `${commit}^{commit}`], { stdio: "ignore" });
  } catch {
    throw new Error(`${commit}: not a commit of ${root}`);
  }
  const { dir, remove } = benchTempDir(prefix);
  try {
    execFileSync("sh", ["-c", `git -C "${root}" archive ${commit} | tar -x -C "${dir}"`]);
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  } catch (e) {
    remove();
    throw e;
  }
  return { dir, remove };
}

/** Where loadScenario has lived, newest first. */
const SCENARIO_LOADERS = ["catalog/scenario-parse.ts", "catalog/scenario.ts", "fixtures/scenario.ts"];

/**
 * Sampler source that imports `loadScenario` from whichever module of the tree at `dir` has it:
 * it moved from fixtures/scenario.ts to catalog/scenario-parse.ts, and the A/B samplers run in
 * trees of both ages.
 */
export function importLoadScenario(dir: string): string {
  const base = treeUrl(dir);
  return `
import { existsSync as loaderExists } from "node:fs";
const loaderUrl = ${JSON.stringify(SCENARIO_LOADERS)}.map((p) => new URL(p, ${JSON.stringify(base)})).find((u) => loaderExists(u));
if (loaderUrl === undefined) throw new Error(${JSON.stringify(`no scenario loader in ${dir}`)});
const { loadScenario } = await import(loaderUrl.href);
`;
}

/** The file URL of a tree's root, ending in "/": samplers import the tree's modules by it. */
export function treeUrl(dir: string): string {
  return pathToFileURL(join(dir, "/")).href;
}

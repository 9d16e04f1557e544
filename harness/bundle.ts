// Bundles a TypeScript entry into one JavaScript file with esbuild, once per process: code
// that runs in a fresh JavaScript context (a real Unit process, an exploration worker) then
// loads in a fraction of the time tsx needs to compile the sources again there. Built from
// the sources on first use, so it never runs stale code. esbuild runs as a command that exits
// (its JS API would leave a service process behind as our child).
//
// Nothing of an interrupted build stays in the checkout: esbuild writes the bundle to its
// stdout, never to a file (a harness killed meanwhile closes the pipe, and esbuild dies of
// it); the file is written here under `<out>.<pid>.tmp` and renamed at once (several
// processes, test files, may build the same bundle at once), one synchronous step that no
// JavaScript signal handler splits. What SIGKILL between the two still leaves, the next build
// of the bundle removes once that pid is gone.
//
// A bundle's import.meta.url is the bundle's own: put it where the modules that locate files
// through import.meta.url expect to be.

import { execFileSync } from "node:child_process";
import { readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";

const built = new Map<string, string>();
/** Far above any bundle of ours (a few hundred kB). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export interface BundleOptions {
  /** Leave node_modules packages as imports (resolved from the bundle's folder) instead of inlining them. */
  externalPackages?: boolean;
}

/** Builds `entry` (a path) into `out` (a path) unless this process already did; returns `out`. */
export function bundleOnce(entry: string, out: string, options: BundleOptions = {}): string {
  const done = built.get(out);
  if (done !== undefined) return done;
  removeStaleTemporaries(out);
  const esbuild = createRequire(import.meta.url).resolve("esbuild/bin/esbuild");
  const args = [entry, "--bundle", "--platform=node", "--format=esm", "--target=node20", "--log-level=error"];
  if (options.externalPackages === true) args.push("--packages=external");
  const code = execFileSync(esbuild, args, { stdio: ["ignore", "pipe", "inherit"], maxBuffer: MAX_BUNDLE_BYTES });
  const tmp = temporaryName(out, process.pid);
  try {
    writeFileSync(tmp, code);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  built.set(out, out);
  return out;
}

/** Where process `pid` writes `out` before renaming it. */
export function temporaryName(out: string, pid: number): string {
  return `${out}.${pid}.tmp`;
}

/** Removes the temporary files of `out` whose process is gone; returns their names. */
export function removeStaleTemporaries(out: string): string[] {
  const prefix = `${basename(out)}.`;
  const removed: string[] = [];
  for (const name of readdirSync(dirname(out))) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1];
    if (pid === undefined || processExists(Number(pid))) continue;
    rmSync(join(dirname(out), name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Whether a process with this pid exists (one of another user counts). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Bundles a TypeScript entry into one JavaScript file with esbuild, once per process: code
// that runs in a fresh JavaScript context (a real Unit process, an exploration worker) then
// loads in a fraction of the time tsx needs to compile the sources again there. Built from
// the sources on first use, so it never runs stale code; written to a temporary name and
// renamed, because several processes (test files) may build the same bundle at once.
// esbuild runs as a command that exits: its JS API would leave a service process behind as
// our child.
//
// A bundle's import.meta.url is the bundle's own: put it where the modules that locate files
// through import.meta.url expect to be.

import { execFileSync } from "node:child_process";
import { renameSync } from "node:fs";
import { createRequire } from "node:module";

const built = new Map<string, string>();

export interface BundleOptions {
  /** Leave node_modules packages as imports (resolved from the bundle's folder) instead of inlining them. */
  externalPackages?: boolean;
}

/** Builds `entry` (a path) into `out` (a path) unless this process already did; returns `out`. */
export function bundleOnce(entry: string, out: string, options: BundleOptions = {}): string {
  const done = built.get(out);
  if (done !== undefined) return done;
  const esbuild = createRequire(import.meta.url).resolve("esbuild/bin/esbuild");
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [entry, "--bundle", "--platform=node", "--format=esm", "--target=node20", `--outfile=${tmp}`, "--log-level=error"];
  if (options.externalPackages === true) args.push("--packages=external");
  execFileSync(esbuild, args, { stdio: ["ignore", "ignore", "inherit"] });
  renameSync(tmp, out);
  built.set(out, out);
  return out;
}

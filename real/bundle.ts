// The real processes run one bundled JavaScript file: node starts it in ~40 ms, where
// compiling the TypeScript sources at every start would cost far more. Built from the
// sources on first use in each harness process (so it never runs stale code), written
// atomically because several test workers may build it at once. esbuild runs as a command
// that exits: its JS API would leave a service process behind as our child.

import { execFileSync } from "node:child_process";
import { renameSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Next to real/native.ts, so the addon's path relative to import.meta.url stays the same. */
const BUNDLE = fileURLToPath(new URL("./process-main.bundle.mjs", import.meta.url));
const ENTRY = fileURLToPath(new URL("./process-main.ts", import.meta.url));

let built: string | null = null;

export function childBundle(): string {
  if (built !== null) return built;
  const esbuild = createRequire(import.meta.url).resolve("esbuild/bin/esbuild");
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  execFileSync(esbuild, [ENTRY, "--bundle", "--platform=node", "--format=esm", "--target=node20", `--outfile=${tmp}`, "--log-level=error"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  renameSync(tmp, BUNDLE);
  built = BUNDLE;
  return built;
}

// The real processes run one bundled JavaScript file: node starts it in ~40 ms, where
// compiling the TypeScript sources at every start would cost far more. Built from the
// sources on first use in each harness process (so it never runs stale code), written
// atomically because several test workers may build it at once.

import { renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { buildSync } from "esbuild";

/** Next to real/native.ts, so the addon's path relative to import.meta.url stays the same. */
const BUNDLE = fileURLToPath(new URL("./process-main.bundle.mjs", import.meta.url));
const ENTRY = fileURLToPath(new URL("./process-main.ts", import.meta.url));

let built: string | null = null;

export function childBundle(): string {
  if (built !== null) return built;
  const result = buildSync({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  writeFileSync(tmp, result.outputFiles[0]!.contents);
  renameSync(tmp, BUNDLE);
  built = BUNDLE;
  return built;
}

// The real processes run one bundled JavaScript file (harness/bundle.ts): node starts it in
// ~40 ms, where compiling the TypeScript sources at every start would cost far more.

import { basename } from "node:path";
import { fileURLToPath } from "node:url";

import { bundleOnce } from "../harness/bundle.ts";

/** Unit's lifecycle model (real/process-main.ts). */
export const PROCESS_MAIN = fileURLToPath(new URL("./process-main.ts", import.meta.url));

/**
 * The bundle of an entry file (one that calls real/process-entry.ts startRealProcess), built
 * next to real/native.ts, so that the addon's path relative to import.meta.url stays the same.
 */
export function childBundle(entry: string = PROCESS_MAIN): string {
  const out = fileURLToPath(new URL(`./${basename(entry, ".ts")}.bundle.mjs`, import.meta.url));
  return bundleOnce(entry, out);
}

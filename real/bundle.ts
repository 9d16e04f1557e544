// The real processes run one bundled JavaScript file (harness/bundle.ts): node starts it in
// ~40 ms, where compiling the TypeScript sources at every start would cost far more.

import { fileURLToPath } from "node:url";

import { bundleOnce } from "../harness/bundle.ts";

/** Next to real/native.ts, so the addon's path relative to import.meta.url stays the same. */
const BUNDLE = fileURLToPath(new URL("./process-main.bundle.mjs", import.meta.url));
const ENTRY = fileURLToPath(new URL("./process-main.ts", import.meta.url));

export function childBundle(): string {
  return bundleOnce(ENTRY, BUNDLE);
}

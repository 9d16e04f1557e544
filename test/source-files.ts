// The repository's own TypeScript files, for the tests that read source as text (generator
// functions at module level, the properties' imports).

import { readdirSync } from "node:fs";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..");

/** The .ts files under `dir`, as repo-relative paths, sorted. */
export function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f))
    .sort();
}

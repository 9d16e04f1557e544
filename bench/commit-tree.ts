// An earlier commit's sources unpacked beside this checkout (git archive, sharing its
// node_modules), so that an A/B bench runs both trees in child processes under the same load.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Unpacks `commit` of the repository at `root` into a temporary directory; `remove` deletes it. */
export function commitTree(root: string, commit: string, prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync("sh", ["-c", `git -C "${root}" archive ${commit} | tar -x -C "${dir}"`]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

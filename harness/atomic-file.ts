// Result files written whole: into a temporary file in the target's folder, then renamed over
// the target (a rename within one file system is atomic), so a reader sees the old file or the
// new one, never half of one. The temporary file is removed on every path that fails.

import { rmSync, statSync, writeFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { threadId } from "node:worker_threads";

let written = 0;

/** A name no other writer (process, thread, earlier write) uses, next to `path`. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${threadId}-${written++}.tmp`);
}

/** Writes `text` to `path` atomically; on failure throws, leaving `path` as it was and no temporary file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = temporaryName(path);
  try {
    writeFileSync(tmp, text, { flag: "wx" });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Throws the error writing `path` would give (its folder missing or read-only, `path` a folder),
 * without creating or changing `path`: found out before a long piece of work, not after it.
 */
export function checkWritable(path: string): void {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
  const tmp = temporaryName(path);
  writeFileSync(tmp, "", { flag: "wx" });
  rmSync(tmp, { force: true });
}

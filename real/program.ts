// What every real process runs: a bundled entry (real/bundle.ts) and the native addon,
// passed as open fds and named by /proc/self/fd links. Unit's processes drop to users like
// nobody, who may not be able to reach the checkout (a clone in a 0700 directory); an
// inherited fd needs no path, only the file's own permissions, which are set here.

import { fchmodSync, openSync } from "node:fs";

import { childBundle, PROCESS_MAIN } from "./bundle.ts";
import { ADDON_PATH } from "./native.ts";

export interface ProgramFds {
  /** The bundled entry (real/process-main.ts, or a test's entry). */
  script: number;
  /** The native addon. */
  addon: number;
}

const opened = new Map<string, ProgramFds>();

/** Opened once per harness process and entry, and kept open (each run's processes inherit them). */
export function childProgram(entry: string = PROCESS_MAIN): ProgramFds {
  let fds = opened.get(entry);
  if (fds === undefined) {
    const script = openSync(childBundle(entry), "r");
    const addon = openSync(ADDON_PATH, "r");
    fchmodSync(script, 0o644);
    fchmodSync(addon, 0o755);
    fds = { script, addon };
    opened.set(entry, fds);
  }
  return fds;
}

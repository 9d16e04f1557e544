// What every real process runs: the bundled entry (real/bundle.ts) and the native addon,
// passed as open fds and named by /proc/self/fd links. Unit's processes drop to users like
// nobody, who may not be able to reach the checkout (a clone in a 0700 directory); an
// inherited fd needs no path, only the file's own permissions, which are set here.

import { fchmodSync, openSync } from "node:fs";

import { childBundle } from "./bundle.ts";
import { ADDON_PATH } from "./native.ts";

export interface ProgramFds {
  /** The bundled entry (real/process-main.ts). */
  script: number;
  /** The native addon. */
  addon: number;
}

let opened: ProgramFds | null = null;

/** Opened once per harness process, and kept open (each run's processes inherit them). */
export function childProgram(): ProgramFds {
  if (opened === null) {
    const script = openSync(childBundle(), "r");
    const addon = openSync(ADDON_PATH, "r");
    fchmodSync(script, 0o644);
    fchmodSync(addon, 0o755);
    opened = { script, addon };
  }
  return opened;
}

// How a real process starts another one: node running the bundled child entry, with a
// clean environment (nothing of the harness's host state leaks in) and the boot record's fd.

import { BOOT_FD_ENV } from "./boot-record.ts";

/** Every process of a run carries the run's id in its environment (tests find leftovers by it). */
export const RUN_ID_ENV = "NXTSIM_RUN";

let childScript: string | null = null;
let runId = "";

/** Set per run by the harness (the bundle it built), and by each child from its own argv and env. */
export function setChildCommand(path: string, id: string): void {
  childScript = path;
  runId = id;
}

export function childArgv(): string[] {
  if (childScript === null) throw new Error("real backend: the child entry script is not set");
  return [process.execPath, childScript];
}

export function childEnv(bootFd: number): string[] {
  return [`PATH=/usr/sbin:/usr/bin:/sbin:/bin`, `${BOOT_FD_ENV}=${bootFd}`, `${RUN_ID_ENV}=${runId}`];
}

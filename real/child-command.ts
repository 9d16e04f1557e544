// How a real process starts another one: node running the bundled child entry through an
// inherited fd (real/program.ts), with a clean environment (nothing of the harness's host
// state leaks in) and the boot record's fd.

import { BOOT_FD_ENV } from "./boot-record.ts";
import { ADDON_ENV } from "./native.ts";
import type { ProgramFds } from "./program.ts";

/** Every process of a run carries the run's id in its environment (tests find leftovers by it). */
export const RUN_ID_ENV = "NXTSIM_RUN";

let program: ProgramFds | null = null;
let runId = "";

/** Set per run by the harness, and by each child from its boot record and env. */
export function setChildCommand(fds: ProgramFds, id: string): void {
  program = fds;
  runId = id;
}

function programFds(): ProgramFds {
  if (program === null) throw new Error("real backend: the child program is not set");
  return program;
}

/** node running the entry by its fd: ESM without a .mjs name, and the link not resolved. */
export function childArgv(): string[] {
  return [process.execPath, "--experimental-default-type=module", "--preserve-symlinks-main", `/proc/self/fd/${programFds().script}`];
}

export function childEnv(bootFd: number): string[] {
  return [`PATH=/usr/sbin:/usr/bin:/sbin:/bin`, `${BOOT_FD_ENV}=${bootFd}`, `${RUN_ID_ENV}=${runId}`, `${ADDON_ENV}=/proc/self/fd/${programFds().addon}`];
}

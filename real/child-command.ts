// How a real process starts another one: node running the bundled child entry, with a
// clean environment (nothing of the harness's host state leaks in) and the boot record's fd.

import { BOOT_FD_ENV } from "./boot-record.ts";

let childScript: string | null = null;

/** Set once per process: by the harness (the bundle it built) or by a child (its own argv[1]). */
export function setChildScript(path: string): void {
  childScript = path;
}

export function childArgv(): string[] {
  if (childScript === null) throw new Error("real backend: the child entry script is not set");
  return [process.execPath, childScript];
}

export function childEnv(bootFd: number): string[] {
  return [`PATH=/usr/sbin:/usr/bin:/sbin:/bin`, `${BOOT_FD_ENV}=${bootFd}`];
}

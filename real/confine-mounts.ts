// The mounts of a run, set up by its init (real/init.ts) in the run's own mount namespace.
// Always: every mount private (nothing reaches the host) and a /proc of the run's own pid
// namespace. Confined (real/confine.ts): every mount inherited from the host read-only, and
// the run's own tmpfs at /tmp and /dev/shm, the only places it can write (the backend's
// O_TMPFILE records live in /dev/shm); they vanish with the namespace.

import { execFileSync } from "node:child_process";

import * as native from "./native.ts";

/** Where a confined run can write, each its own tmpfs. */
export const RUN_WRITABLE_DIRS = ["/tmp", "/dev/shm"] as const;
/** Each writable tmpfs's size (its pages count against the run's memory cap too). */
const RUN_TMPFS_SIZE = "64m";

export function setUpRunMounts(confined: boolean): void {
  // Private first, so that nothing mounted here propagates to the host.
  if (confined) native.mountPrivateReadOnly("/");
  else execFileSync("mount", ["--make-rprivate", "/"], { stdio: "inherit" });
  execFileSync("mount", ["-t", "proc", "-o", "nosuid,nodev,noexec", "proc", "/proc"], { stdio: "inherit" });
  if (!confined) return;
  for (const dir of RUN_WRITABLE_DIRS) {
    execFileSync("mount", ["-t", "tmpfs", "-o", `nosuid,nodev,mode=1777,size=${RUN_TMPFS_SIZE}`, "nxtsim-run", dir], { stdio: "inherit" });
  }
}

// Can this machine run the real backend? The addon must load, the harness must be able to
// make a run's pid and mount namespaces (root), clone3 into every namespace with uid/gid
// maps written before the child runs must work (EPERM where user namespaces are restricted),
// and so must a confined run's map of the unprivileged host range (real/confine-ids.ts).
// The answer carries the exact reason, for skips to print.

import { writeFileSync } from "node:fs";
import { release } from "node:os";

import { HOST_ID_BASE, idMapText, runIdMap } from "./confine-ids.ts";
import * as native from "./native.ts";

export type RealSupport = { ok: true } | { ok: false; reason: string };

let cached: RealSupport | null = null;

export function realSupport(): RealSupport {
  cached ??= probe();
  return cached;
}

/** Sleeps the main thread: the probe is synchronous, as it decides which tests exist. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A namespaced /bin/true, waited for; throws what spawn throws. */
function runTrue(cloneFlags: number, beforeRelease?: (pid: number) => void): void {
  const child = native.spawn({ file: "/bin/true", argv: ["true"], envp: [], cloneFlags, keepFds: [], holdUntilRelease: beforeRelease !== undefined });
  try {
    if (beforeRelease !== undefined) {
      beforeRelease(child.pid);
      native.release(child.syncFd);
    }
  } finally {
    let result = native.pidfdWait(child.pidfd);
    for (let i = 0; result === null && i < 5000; i++) {
      sleepSync(1);
      result = native.pidfdWait(child.pidfd);
    }
    native.close(child.pidfd);
  }
}

function probe(): RealSupport {
  if (process.platform !== "linux") return { ok: false, reason: `the real backend needs Linux (this is ${process.platform})` };
  const [major = 0, minor = 0] = release().split(".").map((n) => parseInt(n, 10));
  if (major * 1000 + minor < 5012) return { ok: false, reason: `the real backend's confined runs need Linux 5.12 or later (mount_setattr), this is ${release()}` };
  try {
    native.loadNative();
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  try {
    // What every run does: its own pid and mount namespace, made by the harness (root).
    runTrue(native.CLONE.NEWPID | native.CLONE.NEWNS);
  } catch (error) {
    return { ok: false, reason: `the real backend's runs need root (CAP_SYS_ADMIN) for their pid and mount namespaces, running as uid ${process.getuid!()}: ${(error as Error).message}` };
  }
  try {
    runTrue(native.ALL_NAMESPACES, (pid) => {
      writeFileSync(`/proc/${pid}/setgroups`, process.getuid!() === 0 ? "allow" : "deny");
      writeFileSync(`/proc/${pid}/uid_map`, `0 ${process.getuid!()} 1\n`);
      writeFileSync(`/proc/${pid}/gid_map`, `0 ${process.getgid!()} 1\n`);
    });
  } catch (error) {
    return { ok: false, reason: `real backend probe (clone3 with all namespaces, uid/gid maps) failed: ${(error as Error).message}` };
  }
  try {
    // A confined run's user namespace (real/confine.ts): its ids on the unprivileged host range.
    const map = idMapText(runIdMap([]));
    runTrue(native.CLONE.NEWUSER | native.CLONE.NEWPID | native.CLONE.NEWNS | native.CLONE.NEWNET, (pid) => {
      writeFileSync(`/proc/${pid}/setgroups`, "allow");
      writeFileSync(`/proc/${pid}/uid_map`, map);
      writeFileSync(`/proc/${pid}/gid_map`, map);
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `the real backend's confined runs map host ids ${HOST_ID_BASE}.. (this harness must be root in the host's user namespace): ${(error as Error).message}` };
  }
}

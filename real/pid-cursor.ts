// Pids as a single-threaded C Unit would get them. Node's helper threads take pids in every
// pid namespace a process lives in, so a Node "prototype" would hand its apps 12 and 23
// where Unit's would get 2 and 3 (and the sim does). Each pid namespace of a run therefore
// has a cursor shared by every process in it (a memfd word, like Linux's last_pid), the
// model's clones ask clone3 for the cursor's next pid (set_tid), and Node's threads are
// started above the model's range by writing ns_last_pid before exec.
//
// Departure: where the caller lacks CAP_SYS_ADMIN over its pid namespace (an unprivileged
// unitd), clone3 refuses set_tid and the kernel picks the pid, threads and all.

import * as native from "./native.ts";

/** Linux's RESERVED_PIDS: where pid allocation wraps to (the sim uses the same rule). */
const RESERVED_PIDS = 300;

export interface PidCursor {
  /** memfd word counting allocations (value + 1 is the next pid before wrapping); -1: not yet created. */
  fd: number;
  pidMax: number;
  wrapTo: number;
}

/** Where Node's threads start: above the model's pids and below the kernel's pid_max (32768 here). */
export function threadBase(pidMax: number): number {
  return Math.min(pidMax, 20000);
}

/** The sim's limits: pids in [1, pidMax), wrapping to 300 (or 2 for tiny pid_max). */
export function limitsFor(pidMax: number): { pidMax: number; wrapTo: number } {
  return { pidMax, wrapTo: pidMax > RESERVED_PIDS ? RESERVED_PIDS : 2 };
}

/** A cursor whose next pid is `last + 1`. */
export function createCursor(last: number, pidMax: number): PidCursor {
  return { fd: native.sharedCounterCreate(last), ...limitsFor(pidMax) };
}

/** The next candidate pid (the caller tries it; EEXIST means taken: ask again). */
export function nextPid(c: PidCursor): number {
  const n = native.sharedFetchAdd(c.fd, 1) + 1;
  if (n < c.pidMax) return n;
  return c.wrapTo + ((n - c.pidMax) % (c.pidMax - c.wrapTo));
}

/**
 * clone3 at the cursor's next free pid in the caller's namespace (pid 1 in a new one), or at
 * the kernel's pick when set_tid is not allowed. Throws what spawn throws.
 */
export function spawnAtNextPid(cursor: PidCursor, newPidNs: boolean, opts: native.SpawnOptions): native.Spawned {
  for (let tries = 0; tries < cursor.pidMax; tries++) {
    const pid = nextPid(cursor);
    try {
      return native.spawn({ ...opts, setTid: newPidNs ? [1, pid] : [pid] });
    } catch (err) {
      if (native.isNativeError(err, "EEXIST")) continue;
      if (native.isNativeError(err, "EPERM") && err.syscall === "clone3") break;
      throw err;
    }
  }
  return native.spawn(opts);
}

// The run's init: pid 1 of a fresh pid namespace (and mount namespace) around one run. It
// mounts a /proc of its own namespace (so pids the model writes to /proc/<pid>/... are the
// ones it sees), starts unitd, reaps orphans as the host's init would, and exits once
// nothing is left. Killing it (the harness does, or pdeathsig when the harness dies) takes
// the whole namespace with it: no process of a run can outlive it.

import { readFileSync } from "node:fs";

import { writeTmpJson, type InitBoot } from "./boot-record.ts";
import { childArgv, childEnv } from "./child-command.ts";
import { setUpRunMounts } from "./confine-mounts.ts";
import { mountUnitCgroup2 } from "./run-cgroup-ns.ts";
import * as native from "./native.ts";
import { spawnAtNextPid } from "./pid-cursor.ts";
import { childrenOfSelf } from "./procfs.ts";
import { encodeRecord, type WireRecord } from "./wire.ts";

export function runInit(boot: InitBoot): void {
  setUpRunMounts(boot.confined);
  const unitCgroupNs = boot.unitCgroup === true && mountUnitCgroup2(boot.confined);

  const start = BigInt(boot.runStartNs);
  const send = (record: WireRecord): void => void native.sendmsg(boot.fds.report, encodeRecord(record), [], { block: true });
  const ticket = (): number => native.sharedFetchAdd(boot.fds.ticket, 1);
  const now = (): number => Number((process.hrtime.bigint() - start) / 1000n) / 1000;

  const bootFd = writeTmpJson(boot.unitd);
  const cursor = boot.unitd.kernel.pidCursor;
  const unitd = spawnAtNextPid(cursor, false, {
    file: process.execPath,
    argv: childArgv(),
    envp: childEnv(bootFd),
    // Unit's cgroup code reads its own cgroup: in a cgroup namespace rooted at the run's it is "/".
    cloneFlags: unitCgroupNs ? native.CLONE.NEWCGROUP : 0,
    keepFds: [boot.fds.report, boot.fds.ticket, boot.fds.mailbox, boot.fds.script, boot.fds.addon, cursor.fd, bootFd],
  });
  native.close(bootFd);
  let unitdReaped = false;

  const reapPidfd = (pidfd: number, pid: number): boolean => {
    const w = native.pidfdWait(pidfd);
    if (w === null) return false;
    const signal = w.how === "exited" ? null : w.status;
    send({ r: "reaped", ticket: ticket(), t: now(), child: pid, status: signal === null ? w.status : null, signal });
    return true;
  };
  const unitdWatch = native.watchReadable(unitd.pidfd, () => {
    if (!reapPidfd(unitd.pidfd, unitd.pid)) return;
    unitdWatch.stop();
    native.close(unitd.pidfd);
    unitdReaped = true;
  });

  // Orphans: reparented to us; reap each by its own pid (never a wait for any child).
  setInterval(() => {
    for (const pid of childrenOfSelf()) {
      if (pid === unitd.pid || !isZombie(pid)) continue;
      const pidfd = native.pidfdOpen(pid);
      reapPidfd(pidfd, pid);
      native.close(pidfd);
    }
    if (unitdReaped && childrenOfSelf().length === 0) process.exit(0);
  }, 10);
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\)/, ")"));
  } catch {
    return false;
  }
}

// A confined real run: what a run of Unit (or of a mutant, or a model bug) can touch on the
// host. Its init is cloned into new user, network and IPC namespaces besides its pid and
// mount ones (real/run-session.ts), held before exec while the harness
//   - maps the run's ids onto an unprivileged host range (real/confine-ids.ts): the run's
//     root is root only in its namespace, every capability it has is over that namespace;
//   - puts it in the run's cgroup (real/run-cgroup.ts);
// then it execs as the namespace's root (rootInUserNs). Its init makes every host mount
// read-only, the run's own tmpfs the only writable place (real/confine-mounts.ts). The
// network namespace has only a loopback, left down: no route anywhere.
//
// Real Unit's behaviour inside is unchanged: main is root over the run's namespaces, writes
// its children's maps (their host side is the run's ids), and its apps nest their own.

import { writeFileSync } from "node:fs";

import * as native from "./native.ts";
import { RUN_WRITABLE_DIRS } from "./confine-mounts.ts";
import { idMapText, runIdMap, type IdExtent, type IdRange } from "./confine-ids.ts";
import { createUnitCgroup, discardUnitCgroup, joinUnitCgroup, removeUnitCgroup, unitCgroupLine, type UnitCgroup, type UnitCgroupReport } from "./run-cgroup-ns.ts";
import { cgroupReport, createRunCgroup, discardRunCgroup, joinRunCgroup, removeRunCgroup, type CgroupCap, type CgroupLimits, type CgroupReport } from "./run-cgroup.ts";

/** Namespaces a confined run's init gets on top of NEWPID | NEWNS. */
export const CONFINE_CLONE_FLAGS = native.CLONE.NEWUSER | native.CLONE.NEWNET | native.CLONE.NEWIPC;

export interface Confinement {
  idMap: IdExtent[];
  cgroup: CgroupCap;
  /** The cgroup v2 cgroup Unit's own cgroup code works in (real/run-cgroup-ns.ts), when the model has it (867a839f). */
  unitCgroup: UnitCgroup | null;
}

/** What a run reports of its confinement. */
export interface ConfinementReport {
  confined: boolean;
  /** The run's id extents (run id -> host id), empty when not confined. */
  idMap: IdExtent[];
  network: string;
  writable: string[];
  cgroup: CgroupReport | null;
  unitCgroup?: UnitCgroupReport;
}

export function prepareConfinement(runId: string, named: readonly IdRange[], limits?: CgroupLimits, unitCgroup = false): Confinement {
  const idMap = runIdMap(named);
  const cgroup = createRunCgroup(runId, limits);
  const root = idMap[0]!.host;
  return { idMap, cgroup, unitCgroup: unitCgroup ? createUnitCgroup(runId, cgroup, { uid: root, gid: root }) : null };
}

/**
 * spawn() of the run's init, confined: held while its maps are written and it joins the
 * run's cgroup, then released to exec as its namespace's root. Throws what spawn or the
 * writes throw (the child is then killed and reaped).
 */
export function spawnConfined(opts: native.SpawnOptions, c: Confinement): native.Spawned {
  let held: native.Spawned | null = null;
  try {
    held = native.spawn({ ...opts, cloneFlags: opts.cloneFlags | CONFINE_CLONE_FLAGS, holdUntilRelease: true, rootInUserNs: true });
    // setgroups stays "allow": Unit's main calls setgroups inside (only a privileged writer may leave it so).
    writeFileSync(`/proc/${held.pid}/setgroups`, "allow");
    writeFileSync(`/proc/${held.pid}/uid_map`, idMapText(c.idMap));
    writeFileSync(`/proc/${held.pid}/gid_map`, idMapText(c.idMap));
    joinRunCgroup(c.cgroup, held.pid);
    if (c.unitCgroup !== null) joinUnitCgroup(c.unitCgroup, held.pid);
    const syncFd = held.syncFd;
    held.syncFd = -1; // release() closes it, whatever happens
    native.release(syncFd);
    return held;
  } catch (err) {
    if (held !== null) {
      native.pidfdSendSignal(held.pidfd, 9);
      if (held.syncFd >= 0) native.close(held.syncFd);
      while (native.pidfdWait(held.pidfd) === null); // a held child dies at once
      native.close(held.pidfd);
    }
    discardUnitCgroup(c.unitCgroup);
    discardRunCgroup(c.cgroup);
    throw err;
  }
}

/** After the init was reaped: removes the run's cgroup, and says what the run was confined by. */
export async function endConfinement(c: Confinement | null, deadline: () => boolean, unitCgroup = false): Promise<ConfinementReport> {
  if (c === null) {
    const report: ConfinementReport = { confined: false, idMap: [], network: "host's", writable: ["host's"], cgroup: null };
    return unitCgroup ? { ...report, unitCgroup: { dir: null, reason: "an unconfined run has no cgroup of its own", leftByUnit: [] } } : report;
  }
  const cgroup = cgroupReport(c.cgroup);
  const unit = c.unitCgroup === null ? null : await removeUnitCgroup(c.unitCgroup, deadline);
  await removeRunCgroup(c.cgroup, deadline);
  const report: ConfinementReport = { confined: true, idMap: c.idMap, network: "own namespace, loopback down", writable: [...RUN_WRITABLE_DIRS], cgroup };
  return unit === null ? report : { ...report, unitCgroup: unit };
}

/** One line for a summary: what the run could touch, and its cgroup's caps (and this run's peak) or why none. */
export function confinementLine(r: ConfinementReport, withPeak = true): string {
  const unit = r.unitCgroup === undefined ? "" : `\n${unitCgroupLine(r.unitCgroup)}`;
  if (!r.confined) return `confinement: none (host namespaces)${unit}`;
  const base = r.idMap[0]!;
  const cg = r.cgroup!;
  const caps = cg.applied
    ? `cgroup v${cg.version}: at most ${cg.limits.pids} tasks and ${cg.limits.memoryBytes / 1024 ** 2} MiB${cg.memoryPeakBytes === null || !withPeak ? "" : ` (peak ${(cg.memoryPeakBytes / 1024 ** 2).toFixed(0)} MiB)`}`
    : `cgroup cap not applied: ${cg.reason}`;
  return `confinement: root = host uid ${base.host}, no network, writes only to ${r.writable.join(" and ")}; ${caps}${unit}`;
}

// The simulated host's cgroup v2 hierarchy, mounted at /sys/fs/cgroup (a cgroup2-only host,
// where Unit's configure sets NXT_CGROUP_ROOT to that), and the file calls on it that Unit's
// cgroup code makes: mkdir/rmdir of a cgroup, a pid written to cgroup.procs, and
// /proc/self/cgroup. No other filesystem exists: the rest of the tree is read-only.
//
// As Linux: a child starts in its parent's cgroup (SimProcess.cgroup, copied at clone); a
// task counts in its cgroup until do_exit's cgroup_exit, so a zombie no longer holds it; rmdir
// of a cgroup with a task or a child cgroup fails EBUSY; writing the pid of a process that is
// exiting moves nothing and succeeds (cgroup_migrate_add_task skips PF_EXITING).

import type { ErrnoName } from "../lifecycle/kernel.ts";
import type { SimProcess } from "./process.ts";

/** Where the sim's cgroup2 is mounted. */
export const CGROUP2_MOUNT = "/sys/fs/cgroup";
const MOUNT_PARTS = CGROUP2_MOUNT.split("/").filter((p) => p !== "");
/** The root cgroup, as /proc/<pid>/cgroup names it. */
export const ROOT_CGROUP = "/";

/** Where a path lands: a cgroup (by its name from the root), the read-only rest, or a missing directory. */
type Place = { kind: "cgroup"; cgroup: string } | { kind: "host"; exists: boolean };

/** The cgroups made below the root, each by its path from the root ("/app/python"), sorted. */
export class CgroupTree {
  readonly dirs: string[] = [];

  has(cgroup: string): boolean {
    return cgroup === ROOT_CGROUP || this.dirs.includes(cgroup);
  }

  /** mkdir(2) of `path`. */
  mkdir(path: string): ErrnoName | undefined {
    const at = place(path);
    if (at.kind === "host") return at.exists ? "EEXIST" : "EROFS";
    if (this.has(at.cgroup)) return "EEXIST";
    if (!this.has(parentOf(at.cgroup))) return "ENOENT";
    this.dirs.push(at.cgroup);
    this.dirs.sort();
    return undefined;
  }

  /** rmdir(2) of `path`; `procs` are the live and zombie processes. */
  rmdir(path: string, procs: readonly SimProcess[]): ErrnoName | undefined {
    const at = place(path);
    if (at.kind === "host") return at.exists ? "EROFS" : "ENOENT";
    if (at.cgroup === ROOT_CGROUP) return "EBUSY"; // the mount point
    if (!this.has(at.cgroup)) return "ENOENT";
    if (this.dirs.some((d) => d.startsWith(`${at.cgroup}/`))) return "EBUSY";
    if (procs.some((p) => p.cgroup === at.cgroup && countsInCgroup(p))) return "EBUSY";
    this.dirs.splice(this.dirs.indexOf(at.cgroup), 1);
    return undefined;
  }

  /**
   * open+write+close of `path` with `content`: only a cgroup's cgroup.procs takes a write, the
   * pid of a process the writer can see (`find` looks it up in the writer's pid namespace).
   */
  writeProcs(path: string, content: string, find: (pid: number) => SimProcess | undefined): ErrnoName | undefined {
    const at = place(parentOf(normalise(path)));
    const file = normalise(path).slice(normalise(path).lastIndexOf("/") + 1);
    if (at.kind === "host" || !this.has(at.cgroup)) return at.kind === "host" && at.exists ? "EROFS" : "ENOENT";
    if (file !== "cgroup.procs") return "EACCES"; // cgroupfs makes no new files
    const pid = /^\s*(\d+)\s*$/.exec(content)?.[1];
    if (pid === undefined) return "EINVAL";
    const target = find(Number(pid));
    if (target === undefined || target.status === "reaped") return "ESRCH";
    if (target.status === "running") target.cgroup = at.cgroup;
    return undefined;
  }
}

/** /proc/<pid>/cgroup of a cgroup2-only host, read from the root cgroup namespace. */
export function procCgroupText(proc: SimProcess): string {
  return `0::${proc.cgroup}\n`;
}

/** A task counts in its cgroup until cgroup_exit, after do_exit released its files (the sim's "exiting"). */
function countsInCgroup(p: SimProcess): boolean {
  return p.status === "running" || p.status === "exiting";
}

function place(path: string): Place {
  const parts = normalise(path).split("/").filter((p) => p !== "");
  const under = MOUNT_PARTS.every((m, i) => parts[i] === m);
  if (under) return { kind: "cgroup", cgroup: `/${parts.slice(MOUNT_PARTS.length).join("/")}` };
  const above = parts.length < MOUNT_PARTS.length && parts.every((p, i) => MOUNT_PARTS[i] === p);
  return { kind: "host", exists: above };
}

/** Path resolution: "//" and "." are nothing, ".." goes up (no symlinks here). */
function normalise(path: string): string {
  const out: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return `/${out.join("/")}`;
}

function parentOf(cgroup: string): string {
  const cut = cgroup.lastIndexOf("/");
  return cut <= 0 ? "/" : cgroup.slice(0, cut);
}

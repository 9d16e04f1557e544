// src/nxt_cgroup.c (upstream 867a839f, Unit 1.29.0 on; as at 1.35.0): main puts a prototype
// whose application has "isolation": {"cgroup": {"path": ...}} into that cgroup v2 cgroup
// (its apps inherit it at fork), and removes the cgroup when it reaps the prototype. Also the
// two places that call it: the NXT_HAVE_CGROUP block of nxt_process_create and
// nxt_isolation_set_cgroup (nxt_isolation.c). The model stands for a build with cgroup v2
// (NXT_HAVE_CGROUP), whose configure found cgroup2 mounted at NXT_CGROUP_ROOT.

import { alert, type Ctx } from "./context.ts";
import { isErrno, SIGTERM, type ErrnoName, type Json, type Pid, type Sys } from "./kernel.ts";
import { fail, formatErrno, ok, type Outcome } from "./credential.ts";
import type { Isolation } from "./isolation.ts";
import { processType } from "./process.ts";
import { cgroupAdoptsApps } from "./repairs-cgroup.ts";
import { NXT_PROCESS_MAIN, NXT_PROCESS_PROTOTYPE, type ProcessRec } from "./state.ts";

/** NXT_CGROUP_ROOT: auto/cgroup's first cgroup2 mount point of the build host. */
export const NXT_CGROUP_ROOT = "/sys/fs/cgroup";
/** NXT_MAX_PATH_LEN (MAXPATHLEN on Linux). */
export const NXT_MAX_PATH_LEN = 4096;

/** A path built, or the errno Unit leaves in nxt_errno. */
type PathOrErrno = { path: string } | { errno: ErrnoName };

/** nxt_isolation_set_cgroup: "cgroup" absent is no cgroup; "cgroup" without "path" fails (validation forbids it). */
export function isolationSetCgroup(isolationConf: Json, iso: Isolation): Outcome {
  const obj = member(isolationConf, "cgroup");
  if (obj === undefined) {
    return ok();
  }
  const path = member(obj, "path");
  if (path === undefined) {
    return fail("", "isolation/cgroup"); // Unit returns NXT_ERROR and logs nothing
  }
  iso.cgroup = { path: typeof path === "string" ? path : "" };
  iso.cgroupCleanup = "cgroupCleanup";
  return ok();
}

/**
 * The NXT_HAVE_CGROUP block of nxt_process_create (the record is already filed): true when
 * it failed, the caller then returns -1.
 */
export function* processCreateCgroupFailed(ctx: Ctx, process: ProcessRec, pid: Pid): Sys<boolean> {
  const ret = yield* cgroupProcAdd(ctx, process);
  if (ret === "OK") {
    cgroupAdoptsApps(ctx, process);
    return false;
  }
  alert(ctx, `cgroup: failed to add process ${process.name} to ${process.isolation.cgroup?.path ?? "(null)"} ${formatErrno(ret)}`);
  yield* cgroupCleanup(ctx, process);
  yield* ctx.k.kill(pid, SIGTERM);
  return true;
}

/** nxt_cgroup_proc_add: main only, prototypes only, with a cgroup path only. */
export function* cgroupProcAdd(ctx: Ctx, process: ProcessRec): Sys<"OK" | ErrnoName> {
  const path = process.isolation.cgroup?.path ?? null;
  if (ctx.s.rt.type !== NXT_PROCESS_MAIN || processType(ctx, process) !== NXT_PROCESS_PROTOTYPE || path === null) {
    return "OK";
  }
  const cgprocs = mkCgpath(ctx, path);
  if ("errno" in cgprocs) {
    return cgprocs.errno;
  }
  const made = yield* fsMkdirP(ctx, cgprocs.path, 0o777);
  if (made !== "OK") {
    return made;
  }
  // Unit's ENAMETOOLONG check compares snprintf's 13 with the space left, never true: snprintf truncates.
  const file = `${cgprocs.path}/cgroup.procs`.slice(0, NXT_MAX_PATH_LEN - 1);
  const written = yield* ctx.k.writeFile(file, `${process.pid}\n`);
  return written === undefined ? "OK" : written.errno;
}

/**
 * nxt_cgroup_cleanup: rmdir of the cgroup and of each parent up to main's own cgroup root,
 * results ignored. The model returns the cgroup's own rmdir result for the repair
 * cgroup-cleanup-before-apps (lifecycle/repairs-cgroup.ts); Unit's returns nothing.
 */
export function* cgroupCleanup(ctx: Ctx, process: ProcessRec): Sys<"OK" | ErrnoName> {
  return yield* cgroupCleanupPath(ctx, process.isolation.cgroup?.path ?? "");
}

/** nxt_cgroup_cleanup's body for the cgroup path of a prototype (isolation.cgroup.path). */
export function* cgroupCleanupPath(ctx: Ctx, path: string): Sys<"OK" | ErrnoName> {
  const cgroot = mkCgpath(ctx, "");
  if ("errno" in cgroot) {
    return cgroot.errno;
  }
  const cgpath = mkCgpath(ctx, path);
  if ("errno" in cgpath) {
    return cgpath.errno;
  }
  let first: "OK" | ErrnoName | null = null;
  let dir = cgpath.path;
  while (dir !== "" && dir !== cgroot.path) {
    const r = yield* ctx.k.rmdir(dir);
    first ??= r === undefined ? "OK" : r.errno;
    dir = dir.slice(0, dir.lastIndexOf("/"));
  }
  return first ?? "OK";
}

/** nxt_mk_cgpath: NXT_CGROUP_ROOT + an absolute path, or + main's own cgroup + "/" + a relative one. */
function mkCgpath(ctx: Ctx, dir: string): PathOrErrno {
  const made = dir.startsWith("/") ? { path: NXT_CGROUP_ROOT + dir } : mkCgpathRelative(ctx, dir);
  if ("errno" in made) {
    return made;
  }
  return byteLength(made.path) >= NXT_MAX_PATH_LEN ? { errno: "ENAMETOOLONG" } : made;
}

/** nxt_mk_cgpath_relative: the "0::" line of /proc/self/cgroup, after its second ':'. */
function mkCgpathRelative(ctx: Ctx, dir: string): PathOrErrno {
  const text = ctx.k.readFile("/proc/self/cgroup");
  if (isErrno(text)) {
    return { errno: text.errno };
  }
  const line = text.split(/(?<=\n)/).find((l) => l.startsWith("0::"));
  if (line === undefined) {
    return { errno: "ENODATA" };
  }
  // Unit drops the line's last character, its '\n'.
  const own = line.slice(0, -1).split(":").slice(2).join(":");
  return { path: `${NXT_CGROUP_ROOT}${own}/${dir}` };
}

/** nxt_fs_mkdir_p (1.35's; 867a839f's nxt_fs_mkdir_all makes the same calls for an absolute path): EEXIST is fine. */
function* fsMkdirP(ctx: Ctx, dir: string, mode: number): Sys<"OK" | ErrnoName> {
  let start = 0;
  while (start < dir.length) {
    const next = dir.indexOf("/", start + 1);
    const end = next === -1 ? dir.length : next;
    const r = yield* ctx.k.mkdir(dir.slice(0, end), mode);
    if (r !== undefined && r.errno !== "EEXIST") {
      return r.errno;
    }
    start = end;
  }
  return "OK";
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function member(obj: Json | undefined, name: string): Json | undefined {
  return typeof obj === "object" && obj !== null && !Array.isArray(obj) && Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

// A place where Unit's own cgroup code (upstream 867a839f, lifecycle/cgroup.ts) works for real
// in a confined run, without touching the host's cgroups: a cgroup v2 cgroup of the run's own
// (the run's capped v2 cgroup where it has one, else a child of the harness's v2 cgroup with no
// controller), delegated to the run's root (its host uid owns the directory and the files a
// delegatee writes), joined by the run's init while held. The init mounts cgroup2 over
// /sys/fs/cgroup from inside a cgroup namespace rooted there, and starts unitd in such a
// namespace: Unit reads "0::/" from /proc/self/cgroup and every cgroup it makes is below the
// run's. At the end the harness removes what Unit left (empty once the run's tasks are gone),
// deepest first, and reports it: Unit's cleanup is part of what a run shows.

import { chownSync, existsSync, readdirSync, readFileSync, rmdirSync, mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";

import type { ErrnoName } from "../lifecycle/kernel.ts";
import { RUN_ID_ENV } from "./child-command.ts";
import { HOST_CGROUPS, type CgroupCap } from "./run-cgroup.ts";

/** The errnos of the file calls of Unit's cgroup code, besides the kernel seam's others. */
export const CGROUP_FILE_ERRNOS: readonly ErrnoName[] = ["EEXIST", "EBUSY", "ENOTEMPTY", "ENAMETOOLONG", "ENODATA", "EROFS"];
/** Where the run's cgroup2 is mounted: the NXT_CGROUP_ROOT the model's Unit was built with (lifecycle/cgroup.ts). */
export const RUN_CGROUP2_MOUNT = "/sys/fs/cgroup";
/** The files a delegatee writes (Documentation/admin-guide/cgroup-v2.rst, "Delegation"). */
const DELEGATED_FILES = ["cgroup.procs", "cgroup.threads", "cgroup.subtree_control"];

/** The run's cgroup for Unit: its directory on the host, whether the run made it (else it is the run's capped cgroup), or why there is none. */
export type UnitCgroup = { dir: string; own: boolean } | { dir: null; reason: string };

/** What a run reports of it at the end. */
export interface UnitCgroupReport {
  dir: string | null;
  reason: string | null;
  /** The cgroups below it that were still there when the run ended (Unit did not remove them), from the run's cgroup root. */
  leftByUnit: string[];
}

/** Makes (or picks) the run's v2 cgroup for Unit and delegates it to the run's root (host ids `owner`). */
export function createUnitCgroup(runId: string, cap: CgroupCap, owner: { uid: number; gid: number }): UnitCgroup {
  let dir: string;
  let own = false;
  if (cap.applied && cap.version === 2) {
    dir = cap.dirs[0]!;
  } else {
    const root = HOST_CGROUPS.v2Roots.find((r) => existsSync(join(r, "cgroup.controllers")));
    if (root === undefined) return { dir: null, reason: "no cgroup v2 mounted on the host" };
    const path = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
    if (path === undefined) return { dir: null, reason: "the harness has no cgroup v2 cgroup" };
    dir = join(path === "/" ? root : join(root, path), `nxtsim-${runId}`);
    try {
      mkdirSync(dir);
    } catch (err) {
      return { dir: null, reason: `cannot create ${dir}: ${(err as Error).message}` };
    }
    own = true;
  }
  removeStaleTrees(dirname(dir));
  try {
    for (const file of ["", ...DELEGATED_FILES]) chownSync(join(dir, file), owner.uid, owner.gid);
  } catch (err) {
    if (own) rmdirSync(dir);
    return { dir: null, reason: `cannot delegate ${dir}: ${(err as Error).message}` };
  }
  return { dir, own };
}

/** Moves the held init into the cgroup (the run's capped v2 cgroup is joined with the cap). */
export function joinUnitCgroup(uc: UnitCgroup, pid: number): void {
  if (uc.dir !== null && uc.own) writeFileSync(join(uc.dir, "cgroup.procs"), String(pid));
}

/** A run that failed to start: its own cgroup, which nothing joined, goes. */
export function discardUnitCgroup(uc: UnitCgroup | null): void {
  if (uc !== null && uc.dir !== null && uc.own) rmdirSync(uc.dir);
}

/**
 * Once the run's tasks are gone: removes every cgroup below (deepest first) and the run's own
 * one if it made it, retrying while a dying task still holds one; says what Unit had left.
 */
export async function removeUnitCgroup(uc: UnitCgroup, deadline: () => boolean): Promise<UnitCgroupReport> {
  if (uc.dir === null) return { dir: null, reason: uc.reason, leftByUnit: [] };
  const left = descendants(uc.dir);
  for (const dir of [...left].reverse()) await rmdirWhenEmpty(join(uc.dir, dir), deadline);
  if (uc.own) await rmdirWhenEmpty(uc.dir, deadline);
  return { dir: uc.dir, reason: null, leftByUnit: left.map((d) => `/${d}`) };
}

/** One line for a run's summary. */
export function unitCgroupLine(r: UnitCgroupReport): string {
  if (r.dir === null) return `Unit's cgroups: NOT available (${r.reason}): its mkdir under ${RUN_CGROUP2_MOUNT} fails`;
  const left = r.leftByUnit.length === 0 ? "none left by Unit" : `${r.leftByUnit.length} left by Unit (${r.leftByUnit.join(", ")}), removed by the harness`;
  return `Unit's cgroups: below ${r.dir} (its cgroup2 mount at ${RUN_CGROUP2_MOUNT}); ${left}`;
}

/**
 * The run's init, in the run's mount namespace: cgroup2 mounted at /sys/fs/cgroup, rooted at
 * the init's own cgroup, when that is the run's (the harness made and delegated it); else an
 * empty read-only tmpfs there, so that Unit's mkdir fails (EROFS) and nothing reaches the
 * host (the run's summary says why: unitCgroupLine). True when unitd gets the cgroup2.
 */
export function mountUnitCgroup2(confined: boolean): boolean {
  const own = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1] ?? "";
  const delegated = confined && own.endsWith(`/nxtsim-${process.env[RUN_ID_ENV] ?? ""}`);
  if (delegated) {
    execFileSync("unshare", ["--cgroup", "mount", "-t", "cgroup2", "-o", "nosuid,nodev,noexec", "nxtsim-cgroup2", RUN_CGROUP2_MOUNT], { stdio: "inherit" });
  } else {
    execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=4k", "nxtsim-no-cgroup", RUN_CGROUP2_MOUNT], { stdio: "inherit" });
  }
  return delegated;
}

/** Sub-cgroups of `dir`, parents before children, by path from `dir`. */
function descendants(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    out.push(path, ...descendants(dir, path));
  }
  return out;
}

async function rmdirWhenEmpty(dir: string, deadline: () => boolean): Promise<void> {
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || deadline()) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Unit cgroups of runs whose harness is gone (SIGKILLed), with whatever their Unit left below. */
function removeStaleTrees(parent: string): void {
  for (const name of readdirSync(parent)) {
    const harness = /^nxtsim-(\d+)-\d+$/.exec(name)?.[1];
    if (harness === undefined || HOST_CGROUPS.alive(harness)) continue;
    const dir = join(parent, name);
    try {
      for (const sub of descendants(dir).reverse()) rmdirSync(join(dir, sub));
      rmdirSync(dir);
    } catch {
      /* still has tasks (they are dying), or another harness removed it */
    }
  }
}

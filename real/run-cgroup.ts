// A confined run's cgroup: caps on its tasks (Node's threads count) and memory, so that one
// scenario cannot take the machine down. cgroup v2 where its pids and memory controllers can
// be had (a child of the harness's own cgroup, or its sibling when the harness's cgroup holds
// processes and so cannot delegate); else cgroup v1's pids and memory hierarchies (a hybrid
// machine). Where neither works the cap is not applied and the run says why: never skipped
// silently. Removed once the run's init has been reaped (nothing of the run is left in it);
// the cgroup of a harness that was killed is removed by the next run's harness.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface CgroupLimits {
  /** pids.max: tasks, threads included (a Node process has about 11). */
  pids: number;
  memoryBytes: number;
}

/** ~90 Node processes, ~2 GiB: far above any shipped scenario (under 20 processes), far below a runner's size. */
export const DEFAULT_CGROUP_LIMITS: CgroupLimits = { pids: 1024, memoryBytes: 2 * 1024 ** 3 };

export type CgroupCap =
  | { applied: true; version: 1 | 2; limits: CgroupLimits; dirs: string[] }
  | { applied: false; limits: CgroupLimits; reason: string };

/** What a run reports of its cgroup at the end. */
export interface CgroupReport {
  applied: boolean;
  version: 1 | 2 | null;
  limits: CgroupLimits;
  reason: string | null;
  /** Highest memory use seen (bytes), where the kernel keeps it. */
  memoryPeakBytes: number | null;
}

const V2_ROOTS = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"];
const V1_ROOT = "/sys/fs/cgroup";

/** Creates the run's cgroup (not yet joined: joinRunCgroup puts the held init in it). */
export function createRunCgroup(runId: string, limits: CgroupLimits = DEFAULT_CGROUP_LIMITS): CgroupCap {
  const name = `nxtsim-${runId}`;
  const v2 = tryV2(name, limits);
  if (typeof v2 !== "string") return v2;
  const v1 = tryV1(name, limits);
  if (typeof v1 !== "string") return v1;
  return { applied: false, limits, reason: `${v2}; ${v1}` };
}

/** Moves `pid` (the held init, before it runs anything) into the run's cgroup. */
export function joinRunCgroup(cap: CgroupCap, pid: number): void {
  if (!cap.applied) return;
  for (const dir of cap.dirs) writeFileSync(join(dir, "cgroup.procs"), String(pid));
}

export function cgroupReport(cap: CgroupCap): CgroupReport {
  if (!cap.applied) return { applied: false, version: null, limits: cap.limits, reason: cap.reason, memoryPeakBytes: null };
  const peakFile = cap.version === 2 ? "memory.peak" : "memory.max_usage_in_bytes";
  const peak = cap.dirs.map((d) => readNumber(join(d, peakFile))).find((n) => n !== null) ?? null;
  return { applied: true, version: cap.version, limits: cap.limits, reason: null, memoryPeakBytes: peak };
}

/** Removes the run's cgroup once its tasks are gone (they leave it as they exit; retried until `deadline`). */
export async function removeRunCgroup(cap: CgroupCap, deadline: () => boolean): Promise<void> {
  if (!cap.applied) return;
  for (const dir of cap.dirs) {
    for (;;) {
      try {
        rmdirSync(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") break;
        if ((err as NodeJS.ErrnoException).code !== "EBUSY" || deadline()) throw err;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
}

/** Removes a cgroup nothing ever joined or that is empty (a run that failed to start). */
export function discardRunCgroup(cap: CgroupCap): void {
  if (!cap.applied) return;
  for (const dir of cap.dirs) rmdirSync(dir);
}

function tryV2(name: string, limits: CgroupLimits): CgroupCap | string {
  const root = V2_ROOTS.find((r) => existsSync(join(r, "cgroup.controllers")));
  if (root === undefined) return "no cgroup v2 mounted";
  const own = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
  if (own === undefined) return "cgroup v2: this process has no v2 cgroup";
  const ownDir = join(root, own);
  const wanted = ["pids", "memory"];
  const available = words(join(ownDir, "cgroup.controllers"));
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) return `cgroup v2 at ${root}: no ${missing.join(", ")} controller (available: ${available.join(" ") || "none"})`;
  // A cgroup with processes cannot delegate controllers (except the root): then a sibling.
  let parent = ownDir;
  try {
    writeFileSync(join(ownDir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
  } catch (err) {
    if (ownDir === root) return `cgroup v2: cannot enable pids and memory at ${root}: ${(err as Error).message}`;
    parent = dirname(ownDir);
  }
  return made(2, join(parent, name), limits, { "pids.max": limits.pids, "memory.max": limits.memoryBytes, "memory.swap.max": 0 });
}

function tryV1(name: string, limits: CgroupLimits): CgroupCap | string {
  const cgroups = readFileSync("/proc/self/cgroup", "utf8");
  const pids = v1Path(cgroups, "pids");
  const memory = v1Path(cgroups, "memory");
  if (pids === undefined || memory === undefined) return "cgroup v1: no pids and memory hierarchies";
  const pidsDir = join(V1_ROOT, "pids", pids, name);
  const memoryDir = join(V1_ROOT, "memory", memory, name);
  const p = made(1, pidsDir, limits, { "pids.max": limits.pids });
  if (typeof p === "string") return p;
  const m = made(1, memoryDir, limits, { "memory.limit_in_bytes": limits.memoryBytes });
  if (typeof m === "string") {
    rmdirSync(pidsDir);
    return m;
  }
  return { applied: true, version: 1, limits, dirs: [pidsDir, memoryDir] };
}

/** mkdir and write the limits; on failure removes what it made and says why. */
function made(version: 1 | 2, dir: string, limits: CgroupLimits, files: Record<string, number>): CgroupCap | string {
  removeStale(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (err) {
    return `cgroup v${version}: cannot create ${dir}: ${(err as Error).message}`;
  }
  for (const [file, value] of Object.entries(files)) {
    try {
      writeFileSync(join(dir, file), String(value));
    } catch (err) {
      if (file === "memory.swap.max" && (err as NodeJS.ErrnoException).code === "ENOENT") continue; // no swap accounting
      rmdirSync(dir);
      return `cgroup v${version}: cannot write ${file} in ${dir}: ${(err as Error).message}`;
    }
  }
  return { applied: true, version, limits, dirs: [dir] };
}

/** Run cgroups that exist now, wherever this harness would make them (tests: nothing left behind). */
export function leftoverRunCgroups(): string[] {
  const cgroups = readFileSync("/proc/self/cgroup", "utf8");
  const parents: string[] = [];
  const v2 = /^0::(.*)$/m.exec(cgroups)?.[1];
  if (v2 !== undefined) for (const root of V2_ROOTS) parents.push(join(root, v2), dirname(join(root, v2)));
  for (const controller of ["pids", "memory"]) {
    const own = v1Path(cgroups, controller);
    if (own !== undefined) parents.push(join(V1_ROOT, controller, own));
  }
  return [...new Set(parents)].flatMap((dir) => {
    try {
      return readdirSync(dir).filter((n) => n.startsWith("nxtsim-")).map((n) => join(dir, n));
    } catch {
      return [];
    }
  });
}

/** Empty cgroups of runs whose harness is gone (run ids start with the harness's pid, real/run-session.ts). */
function removeStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const harness = /^nxtsim-(\d+)-\d+$/.exec(name)?.[1];
    if (harness === undefined || existsSync(`/proc/${harness}`)) continue;
    try {
      rmdirSync(join(parent, name));
    } catch {
      /* still has tasks (they are dying), or another harness removed it */
    }
  }
}

/** This process's cgroup in a v1 hierarchy (from /proc/self/cgroup's text), if that controller has one. */
function v1Path(cgroups: string, controller: string): string | undefined {
  return new RegExp(`^\\d+:(?:[^:]*,)?${controller}(?:,[^:]*)?:(.*)$`, "m").exec(cgroups)?.[1];
}

function words(file: string): string[] {
  try {
    return readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

// A confined run's cgroup: caps on its tasks (Node's threads count) and memory, so that one
// scenario cannot take the machine down. cgroup v2 where its pids and memory controllers can
// be had (a child of the harness's own cgroup, or its sibling when the harness's cgroup holds
// processes and so cannot delegate); else cgroup v1's pids and memory hierarchies (a hybrid
// machine). Where neither works the cap is not applied and the run says why: never skipped
// silently. Removed once the run's init has been reaped (nothing of the run is left in it);
// the cgroup of a harness that was killed is removed by the next run's harness.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The file operations the cgroup code makes: node:fs on the host, a fake tree in a test. */
export interface CgroupFs {
  exists(path: string): boolean;
  mkdir(path: string): void;
  list(path: string): string[];
  read(path: string): string;
  /** Writes an existing file (cgroupfs makes no new files: writing a missing one fails EACCES). */
  write(path: string, data: string): void;
  rmdir(path: string): void;
}

/** Where this process's cgroups are, and the files behind them. */
export interface CgroupHost {
  v2Roots: readonly string[];
  v1Root: string;
  /** This process's /proc/self/cgroup. */
  ownCgroups(): string;
  /** Whether the process with this pid (a run cgroup's harness) is alive. */
  alive(pid: string): boolean;
  fs: CgroupFs;
}

/** This machine's cgroups. */
export const HOST_CGROUPS: CgroupHost = {
  v2Roots: ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"],
  v1Root: "/sys/fs/cgroup",
  ownCgroups: () => readFileSync("/proc/self/cgroup", "utf8"),
  alive: (pid) => existsSync(`/proc/${pid}`),
  fs: {
    exists: existsSync,
    mkdir: (path) => mkdirSync(path),
    list: (path) => readdirSync(path),
    read: (path) => readFileSync(path, "utf8"),
    write: (path, data) => writeFileSync(path, data),
    rmdir: rmdirSync,
  },
};

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

/** Creates the run's cgroup (not yet joined: joinRunCgroup puts the held init in it). */
export function createRunCgroup(runId: string, limits: CgroupLimits = DEFAULT_CGROUP_LIMITS, host: CgroupHost = HOST_CGROUPS): CgroupCap {
  const name = `nxtsim-${runId}`;
  const v2 = tryV2(name, limits, host);
  if (typeof v2 !== "string") return v2;
  const v1 = tryV1(name, limits, host);
  if (typeof v1 !== "string") return v1;
  return { applied: false, limits, reason: `${v2}; ${v1}` };
}

/** Moves `pid` (the held init, before it runs anything) into the run's cgroup. */
export function joinRunCgroup(cap: CgroupCap, pid: number, host: CgroupHost = HOST_CGROUPS): void {
  if (!cap.applied) return;
  for (const dir of cap.dirs) host.fs.write(join(dir, "cgroup.procs"), String(pid));
}

export function cgroupReport(cap: CgroupCap, host: CgroupHost = HOST_CGROUPS): CgroupReport {
  if (!cap.applied) return { applied: false, version: null, limits: cap.limits, reason: cap.reason, memoryPeakBytes: null };
  const peakFile = cap.version === 2 ? "memory.peak" : "memory.max_usage_in_bytes";
  const peak = cap.dirs.map((d) => readNumber(host.fs, join(d, peakFile))).find((n) => n !== null) ?? null;
  return { applied: true, version: cap.version, limits: cap.limits, reason: null, memoryPeakBytes: peak };
}

/**
 * Removes the run's cgroup once its tasks are gone (they leave it as they exit; retried until
 * `deadline`), then again any stale one beside it: one whose harness was killed may still have
 * held dying tasks when this run made its own.
 */
export async function removeRunCgroup(cap: CgroupCap, deadline: () => boolean, host: CgroupHost = HOST_CGROUPS): Promise<void> {
  if (!cap.applied) return;
  for (const dir of cap.dirs) {
    for (;;) {
      try {
        host.fs.rmdir(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") break;
        if ((err as NodeJS.ErrnoException).code !== "EBUSY" || deadline()) throw err;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
  for (const dir of cap.dirs) removeStale(dirname(dir), host);
}

/** Removes a cgroup nothing ever joined or that is empty (a run that failed to start). */
export function discardRunCgroup(cap: CgroupCap, host: CgroupHost = HOST_CGROUPS): void {
  if (!cap.applied) return;
  for (const dir of cap.dirs) host.fs.rmdir(dir);
}

function tryV2(name: string, limits: CgroupLimits, host: CgroupHost): CgroupCap | string {
  const root = host.v2Roots.find((r) => host.fs.exists(join(r, "cgroup.controllers")));
  if (root === undefined) return "no cgroup v2 mounted";
  const own = /^0::(.*)$/m.exec(host.ownCgroups())?.[1];
  if (own === undefined) return "cgroup v2: this process has no v2 cgroup";
  const ownDir = v2Dir(root, own);
  const wanted = ["pids", "memory"];
  const available = words(host.fs, join(ownDir, "cgroup.controllers"));
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) return `cgroup v2 at ${root}: no ${missing.join(", ")} controller (available: ${available.join(" ") || "none"})`;
  // A cgroup with processes cannot delegate controllers (except the root): then a sibling.
  let parent = ownDir;
  try {
    host.fs.write(join(ownDir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
  } catch (err) {
    if (ownDir === root) return `cgroup v2: cannot enable pids and memory at ${root}: ${(err as Error).message}`;
    parent = dirname(ownDir);
  }
  // memory.swap.max exists only with swap accounting: without it, no swap is counted at all.
  return made(2, join(parent, name), limits, { "pids.max": limits.pids, "memory.max": limits.memoryBytes, "memory.swap.max": 0 }, host, ["memory.swap.max"]);
}

function tryV1(name: string, limits: CgroupLimits, host: CgroupHost): CgroupCap | string {
  const cgroups = host.ownCgroups();
  const pids = v1Path(cgroups, "pids");
  const memory = v1Path(cgroups, "memory");
  if (pids === undefined || memory === undefined) return "cgroup v1: no pids and memory hierarchies";
  const pidsDir = join(host.v1Root, "pids", pids, name);
  const memoryDir = join(host.v1Root, "memory", memory, name);
  const p = made(1, pidsDir, limits, { "pids.max": limits.pids }, host);
  if (typeof p === "string") return p;
  const m = made(1, memoryDir, limits, { "memory.limit_in_bytes": limits.memoryBytes }, host);
  if (typeof m === "string") {
    host.fs.rmdir(pidsDir);
    return m;
  }
  return { applied: true, version: 1, limits, dirs: [pidsDir, memoryDir] };
}

/** mkdir and write the limits (an `optional` file only where it exists); on failure removes what it made and says why. */
function made(version: 1 | 2, dir: string, limits: CgroupLimits, files: Record<string, number>, host: CgroupHost, optional: readonly string[] = []): CgroupCap | string {
  removeStale(dirname(dir), host);
  try {
    host.fs.mkdir(dir);
  } catch (err) {
    return `cgroup v${version}: cannot create ${dir}: ${(err as Error).message}`;
  }
  for (const [file, value] of Object.entries(files)) {
    if (optional.includes(file) && !host.fs.exists(join(dir, file))) continue;
    try {
      host.fs.write(join(dir, file), String(value));
    } catch (err) {
      host.fs.rmdir(dir);
      return `cgroup v${version}: cannot write ${file} in ${dir}: ${(err as Error).message}`;
    }
  }
  return { applied: true, version, limits, dirs: [dir] };
}

/** Run cgroups that exist now, wherever this harness would make them (tests: nothing left behind). */
export function leftoverRunCgroups(host: CgroupHost = HOST_CGROUPS): string[] {
  const cgroups = host.ownCgroups();
  const parents: string[] = [];
  const v2 = /^0::(.*)$/m.exec(cgroups)?.[1];
  if (v2 !== undefined) for (const root of host.v2Roots) parents.push(v2Dir(root, v2), dirname(v2Dir(root, v2)));
  for (const controller of ["pids", "memory"]) {
    const own = v1Path(cgroups, controller);
    if (own !== undefined) parents.push(join(host.v1Root, controller, own));
  }
  return [...new Set(parents)].flatMap((dir) => {
    try {
      return host.fs.list(dir).filter((n) => n.startsWith("nxtsim-")).map((n) => join(dir, n));
    } catch {
      return [];
    }
  });
}

/**
 * Run cgroups of the harnesses with these pids (a test's own runs): other harnesses running at
 * the same time (the test files run in parallel) have live cgroups that are not leftovers.
 */
export function runCgroupsOf(harnessPids: readonly number[], host: CgroupHost = HOST_CGROUPS): string[] {
  return leftoverRunCgroups(host).filter((dir) => harnessPids.includes(Number(/\/nxtsim-(\d+)-\d+$/.exec(dir)?.[1])));
}

/** Empty cgroups of runs whose harness is gone (run ids start with the harness's pid, real/run-session.ts). */
function removeStale(parent: string, host: CgroupHost): void {
  let names: string[];
  try {
    names = host.fs.list(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const harness = /^nxtsim-(\d+)-\d+$/.exec(name)?.[1];
    if (harness === undefined || host.alive(harness)) continue;
    try {
      host.fs.rmdir(join(parent, name));
    } catch {
      /* still has tasks (they are dying), or another harness removed it */
    }
  }
}

/** The directory of v2 cgroup `path` ("/" is the root itself, with no trailing slash to compare or take the parent of). */
function v2Dir(root: string, path: string): string {
  return path === "/" ? root : join(root, path);
}

/** This process's cgroup in a v1 hierarchy (from /proc/self/cgroup's text), if that controller has one. */
function v1Path(cgroups: string, controller: string): string | undefined {
  return new RegExp(`^\\d+:(?:[^:]*,)?${controller}(?:,[^:]*)?:(.*)$`, "m").exec(cgroups)?.[1];
}

function words(fs: CgroupFs, file: string): string[] {
  try {
    return fs.read(file).trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function readNumber(fs: CgroupFs, file: string): number | null {
  try {
    const n = Number(fs.read(file).trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

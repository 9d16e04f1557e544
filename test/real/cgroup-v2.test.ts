// The cgroup v2 path of real/run-cgroup.ts. This machine cannot run it for real: its pids and
// memory controllers are bound to v1 hierarchies, and every cgroup2 mount is the one unified
// hierarchy, without them. So the path runs against a fake v2 tree (fake-cgroup2.ts), and the
// fake's rules are checked first against the machine's real cgroup2 where they need no
// controller (an empty cgroup's files, a missing file, an unavailable controller, rmdir of a
// cgroup holding a process). Verified only against the fake: pids.max and memory.max taking
// effect, and the no-internal-process rule.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, test } from "vitest";

import { cgroupReport, createRunCgroup, DEFAULT_CGROUP_LIMITS, HOST_CGROUPS, joinRunCgroup, leftoverRunCgroups, removeRunCgroup, runCgroupsOf, type CgroupFs } from "../../real/run-cgroup.ts";
import { FakeCgroup2 } from "./fake-cgroup2.ts";
import { describeReal } from "./native-helpers.ts";

const ROOT = "/sys/fs/cgroup";
const ALL = ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"];
const HARNESS = 4242;
const INIT = 4300;

function errno(f: () => void): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

/** What the kernel's rules give for an empty child cgroup and one holding `pid`, step by step. */
async function probeRules(fs: CgroupFs, root: string, name: string, pid: number, exit: () => Promise<void>): Promise<Record<string, string>> {
  const dir = join(root, name);
  fs.mkdir(dir);
  const files = fs.list(dir);
  const out: Record<string, string> = {
    core: String(["cgroup.controllers", "cgroup.procs", "cgroup.subtree_control"].every((f) => files.includes(f))),
    controllers: String(fs.read(join(dir, "cgroup.controllers")).trim() === fs.read(join(root, "cgroup.subtree_control")).trim()),
    "pids.max exists": String(fs.exists(join(dir, "pids.max"))),
    "mkdir again": errno(() => fs.mkdir(dir)),
    "write memory.max (missing)": errno(() => fs.write(join(dir, "memory.max"), "1")),
    "read memory.max (missing)": errno(() => fs.read(join(dir, "memory.max"))),
    "enable pids (unavailable)": errno(() => fs.write(join(dir, "cgroup.subtree_control"), "+pids")),
    join: errno(() => fs.write(join(dir, "cgroup.procs"), String(pid))),
  };
  out["procs"] = fs.read(join(dir, "cgroup.procs")).trim();
  out["rmdir with a process"] = errno(() => fs.rmdir(dir));
  await exit();
  out["rmdir once it exited"] = errno(() => fs.rmdir(dir));
  return out;
}

const EXPECTED_RULES = (pid: number) => ({
  core: "true",
  controllers: "true",
  "pids.max exists": "false",
  "mkdir again": "EEXIST",
  "write memory.max (missing)": "EACCES",
  "read memory.max (missing)": "ENOENT",
  "enable pids (unavailable)": "ENOENT",
  join: "ok",
  procs: String(pid),
  "rmdir with a process": "EBUSY",
  "rmdir once it exited": "ok",
});

describeReal("the fake cgroup v2 tree keeps the real cgroup2's rules (this machine's, no controller needed)", () => {
  const real = HOST_CGROUPS.v2Roots.find((r) => existsSync(join(r, "cgroup.controllers")) && !/\bpids\b/.test(readFileSync(join(r, "cgroup.controllers"), "utf8")));
  test.skipIf(real === undefined)("the same outcomes, step by step, on the real cgroup2 and on the fake", async () => {
    const root = real!;
    // A process of our own to move in (not this one: it has to leave the cgroup by exiting).
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const dir = join(root, `nxtsim.fake-check-${process.pid}`);
    let onReal: Record<string, string>;
    try {
      onReal = await probeRules(HOST_CGROUPS.fs, root, dir.slice(root.length + 1), child.pid!, async () => {
        child.kill("SIGKILL");
        await exited;
      });
    } finally {
      child.kill("SIGKILL");
      await exited;
      if (existsSync(dir)) rmdirSync(dir);
    }
    expect(onReal).toEqual(EXPECTED_RULES(child.pid!));
    const rootControllers = readFileSync(join(root, "cgroup.controllers"), "utf8").trim().split(/\s+/).filter(Boolean);
    const fake = new FakeCgroup2(ROOT, rootControllers, true);
    expect(await probeRules(fake, ROOT, "check", 77, async () => fake.exit(77))).toEqual(EXPECTED_RULES(77));
  });
});

describe("cgroup v2 path against a fake v2 tree", () => {
  test("harness in the root of its cgroup namespace (a container): a child of the root, capped, joined, reported, removed", async () => {
    const fake = new FakeCgroup2(ROOT, ALL, true);
    const host = fake.host("/", HARNESS);
    const cap = createRunCgroup("4242-1", DEFAULT_CGROUP_LIMITS, host);
    const dir = join(ROOT, "nxtsim-4242-1");
    expect(cap).toEqual({ applied: true, version: 2, limits: DEFAULT_CGROUP_LIMITS, dirs: [dir] });
    expect(fake.read(join(ROOT, "cgroup.subtree_control")).trim().split(" ").sort()).toEqual(["memory", "pids"]);
    expect(fake.written(join(dir, "pids.max"))).toBe("1024");
    expect(fake.written(join(dir, "memory.max"))).toBe(String(2 * 1024 ** 3));
    expect(fake.written(join(dir, "memory.swap.max"))).toBe("0");
    joinRunCgroup(cap, INIT, host);
    expect(fake.read(join(dir, "cgroup.procs"))).toBe(`${INIT}\n`);
    fake.memoryPeak = 123 * 1024 ** 2;
    expect(cgroupReport(cap, host)).toEqual({ applied: true, version: 2, limits: DEFAULT_CGROUP_LIMITS, reason: null, memoryPeakBytes: 123 * 1024 ** 2 });
    // Still holding the init: EBUSY until the deadline; once it exited, removed.
    await expect(removeRunCgroup(cap, () => true, host)).rejects.toThrow(/EBUSY/);
    fake.exit(INIT);
    await removeRunCgroup(cap, () => true, host);
    expect(leftoverRunCgroups(host)).toEqual([]);
  });

  test("harness in a delegated cgroup that holds it (a systemd service): a sibling, under a parent that enables pids and memory", () => {
    const fake = new FakeCgroup2(ROOT, ALL, true);
    fake.mkdir(join(ROOT, "system.slice"));
    fake.write(join(ROOT, "cgroup.subtree_control"), "+pids +memory");
    fake.write(join(ROOT, "system.slice", "cgroup.subtree_control"), "+pids +memory");
    const host = fake.host("/system.slice/runner.service", HARNESS);
    const cap = createRunCgroup("4242-2", DEFAULT_CGROUP_LIMITS, host);
    const dir = join(ROOT, "system.slice", "nxtsim-4242-2");
    expect(cap).toEqual({ applied: true, version: 2, limits: DEFAULT_CGROUP_LIMITS, dirs: [dir] });
    expect(fake.written(join(dir, "pids.max"))).toBe("1024");
    expect(fake.written(join(dir, "memory.max"))).toBe(String(2 * 1024 ** 3));
    // The harness's own cgroup was not made to delegate (it could not: it holds a process).
    expect(fake.read(join(ROOT, "system.slice", "runner.service", "cgroup.subtree_control")).trim()).toBe("");
  });

  test("no swap accounting (no memory.swap.max): the cap is still applied, memory.max only", () => {
    const fake = new FakeCgroup2(ROOT, ALL, false);
    const cap = createRunCgroup("4242-3", { pids: 64, memoryBytes: 256 * 1024 ** 2 }, fake.host("/", HARNESS));
    expect(cap.applied).toBe(true);
    expect(fake.written(join(ROOT, "nxtsim-4242-3", "pids.max"))).toBe("64");
    expect(fake.written(join(ROOT, "nxtsim-4242-3", "memory.max"))).toBe(String(256 * 1024 ** 2));
    expect(fake.exists(join(ROOT, "nxtsim-4242-3", "memory.swap.max"))).toBe(false);
  });

  test("a v2 hierarchy without pids and memory (this machine's: hugetlb only) and no v1: uncapped, saying why", () => {
    const fake = new FakeCgroup2(ROOT, ["hugetlb"], true);
    const cap = createRunCgroup("4242-4", DEFAULT_CGROUP_LIMITS, fake.host("/", HARNESS));
    expect(cap).toEqual({
      applied: false,
      limits: DEFAULT_CGROUP_LIMITS,
      reason: "cgroup v2 at /sys/fs/cgroup: no pids, memory controller (available: hugetlb); cgroup v1: no pids and memory hierarchies",
    });
    expect(fake.list(ROOT).filter((n) => n.startsWith("nxtsim-"))).toEqual([]);
  });

  test("the empty cgroup of a harness that is gone is removed by the next run; a live harness's is kept", () => {
    const fake = new FakeCgroup2(ROOT, ALL, true);
    fake.mkdir(join(ROOT, "nxtsim-999-1"));
    fake.mkdir(join(ROOT, "nxtsim-555-1"));
    const host = fake.host("/", HARNESS, (pid) => pid === "555");
    createRunCgroup("4242-5", DEFAULT_CGROUP_LIMITS, host);
    expect(leftoverRunCgroups(host).sort()).toEqual([join(ROOT, "nxtsim-4242-5"), join(ROOT, "nxtsim-555-1")]);
  });

  test("a test counts only its own harnesses' run cgroups as left: another harness at work has its own", () => {
    const fake = new FakeCgroup2(ROOT, ALL, true);
    const host = fake.host("/", HARNESS);
    for (const name of ["nxtsim-4242-1", "nxtsim-42-7", "nxtsim-555-1"]) fake.mkdir(join(ROOT, name));
    expect(runCgroupsOf([4242], host)).toEqual([join(ROOT, "nxtsim-4242-1")]);
    expect(runCgroupsOf([42, 555], host).sort()).toEqual([join(ROOT, "nxtsim-42-7"), join(ROOT, "nxtsim-555-1")]);
    expect(runCgroupsOf([424], host)).toEqual([]);
  });
});

// A confined real run, seen from inside (test/real/confine-probe.ts): no route out, host
// files not writable, host pids not signalable, capabilities only over its own namespaces,
// its tasks capped by its cgroup. The same probes run unconfined escape (so they can fail),
// except the signal: every run, confined or not, has its own pid namespace, where no host pid
// exists (the probe's control, the run's own init, shows a signal that can be sent).

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { expect, test } from "vitest";

import { HOST_ID_BASE } from "../../real/confine-ids.ts";
import { processesOfRun } from "../../real/leftovers.ts";
import { runProgramOnReal, type ProgramRunOptions } from "../../real/run-program.ts";
import { runCgroupsOf } from "../../real/run-cgroup.ts";
import { cont } from "../sim/toy-program.ts";
import { probeResults, type ProbeImage } from "./confine-probe.ts";
import { describeReal } from "./native-helpers.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, "confine-entry.ts");
const CHECKOUT_FILE = join(HERE, "..", "..", "package.json");

/**
 * A host file the run must not write: the checkout's package.json, unless the checkout lies
 * under /tmp or /dev/shm, where the run's own tmpfs hides it (a clone for CI may be there);
 * then a file made for the test in /var/tmp, removed after.
 */
function withHostFile<T>(body: (path: string) => Promise<T>): Promise<T> {
  const hidden = ["/tmp/", "/dev/shm/"].some((dir) => resolve(CHECKOUT_FILE).startsWith(dir));
  if (!hidden) return body(CHECKOUT_FILE);
  const dir = mkdtempSync("/var/tmp/nxtsim-confine-");
  const path = join(dir, "host-file");
  writeFileSync(path, "a host file\n");
  return body(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function probe(options: Partial<ProgramRunOptions> = {}): Promise<Awaited<ReturnType<typeof runProgramOnReal>> & { results: ReturnType<typeof probeResults> }> {
  return withHostFile(async (hostFile) => {
    const image: ProbeImage = { hostFile, hostPid: process.pid };
    const run = await runProgramOnReal({ entryFile: ENTRY, image, entry: cont("probe"), ...options });
    expect(processesOfRun(run.runId)).toEqual([]);
    return { ...run, results: probeResults(run.trace) };
  });
}

describeReal("real backend: a confined run", () => {
  test("cannot reach the network, write host files, signal host pids or use host capabilities; it writes its own /tmp", async () => {
    const run = await probe();
    expect(run.reason).toBe("exited");
    const r = run.results;
    expect(r["connect-outside"]).toBe("ENETUNREACH");
    expect(["EROFS", "EACCES"]).toContain(r["write-host-file"]);
    expect(["EROFS", "EACCES"]).toContain(r["write-etc"]);
    expect(r["create-in-var-tmp"]).toBe("EROFS");
    expect(r["create-in-run-tmp"]).toBe("ok");
    expect(["ESRCH", "EPERM"]).toContain(r["signal-host-pid"]);
    expect(r["signal-run-init"]).toBe("ok");
    expect(r["sethostname"]).toBe("EPERM");
    // Its root is the base of the unprivileged host range, as its own uid_map says.
    expect(String(r["uid_map"]).trim().split(/\s+/).map(Number)).toEqual([0, HOST_ID_BASE, 1 << 24]);
    expect(run.confinement.confined).toBe(true);
    const cgroup = run.confinement.cgroup!;
    if (cgroup.applied) expect(String(r["cgroup"])).toContain(`nxtsim-${run.runId}`);
    else expect(cgroup.reason).toMatch(/cgroup/);
    expect(runCgroupsOf([process.pid])).toEqual([]);
  });

  test("the same probes escape an unconfined run (so they can fail)", async () => {
    const run = await probe({ unconfined: true });
    const r = run.results;
    expect(r["connect-outside"]).not.toBe("ENETUNREACH");
    expect(r["write-host-file"]).toBe("ok");
    expect(r["write-etc"]).toBe("ok");
    expect(r["create-in-var-tmp"]).toBe("ok");
    expect(r["signal-host-pid"]).toBe("ESRCH");
    expect(r["signal-run-init"]).toBe("ok");
    expect(r["sethostname"]).toBe("ok");
    expect(existsSync(`/var/tmp/nxtsim-confine-probe-${process.pid}`)).toBe(false);
  });

  test("its cgroup caps its tasks: clones are refused with EAGAIN at the cap (or the run says why there is no cap)", async () => {
    const run = await probe({ entry: cont("forkUntilRefused"), cgroupLimits: { pids: 64, memoryBytes: 512 * 1024 ** 2 } });
    const cgroup = run.confinement.cgroup!;
    if (!cgroup.applied) {
      process.stderr.write(`cgroup cap not applied on this machine: ${cgroup.reason}\n`);
      expect(cgroup.reason).toMatch(/cgroup/);
      return;
    }
    const refused = run.results["refused"] as { made: number; errno: string };
    expect(refused.errno).toBe("EAGAIN");
    expect(refused.made).toBeLessThan(64);
    expect(runCgroupsOf([process.pid])).toEqual([]);
  });
});

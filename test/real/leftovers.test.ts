// Nothing of a real run survives it: no process (in the run or as our zombie), no fd of the
// harness, no mount, no temporary file, no cgroup; not after a crash, and not when the harness
// itself is SIGKILLed in the middle of a run (pdeathsig on the run's init, which takes its pid
// namespace with it; the next run's harness removes the dead one's cgroup).

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { execa } from "execa";
import { expect, test } from "vitest";

import { listScenarios, scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { processesOfRun } from "../../real/leftovers.ts";
import { leftoverRunCgroups, runCgroupsOf } from "../../real/run-cgroup.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { childPids, describeReal, openFds } from "./native-helpers.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, "..", "..");
/** NXTSIM_REAL_SOAK=200 runs the long soak; npm test runs a short one. */
const SOAK_RUNS = Number(process.env["NXTSIM_REAL_SOAK"] ?? 20);

function mounts(): string {
  return readFileSync("/proc/self/mountinfo", "utf8");
}

/** Files a run could leave: the bundle's temporary files (the boot records have no name). */
function tempFiles(): string[] {
  return readdirSync(join(REPO, "real")).filter((f) => f.endsWith(".tmp"));
}

/** How many tasks a cgroup still holds (0 once it is gone). */
function tasksIn(dir: string): number {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  for (const start = Date.now(); Date.now() - start < ms; ) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return done();
}

describeReal("real backend: nothing left behind", () => {
  test(`${SOAK_RUNS} runs in a row leave no process, zombie, fd, mount or temporary file`, async () => {
    const scenarios = listScenarios();
    // Warm up (the bundle is built once per harness process) before taking the baseline.
    await runScenarioOnReal(scenarios[0]!, { fixes: ["633"] });
    const fdsBefore = openFds();
    const mountsBefore = mounts();
    for (let i = 0; i < SOAK_RUNS; i++) {
      const scenario = scenarios[i % scenarios.length]!;
      const run = await runScenarioOnReal(scenario, { fixes: ["633"], timeScale: 0.1 });
      expect(run.reason, `${scenario.name} run ${i}`).not.toBe("timeout");
      expect(processesOfRun(run.runId), `${scenario.name} run ${i}`).toEqual([]);
      expect(childPids()).toEqual([]);
    }
    expect(openFds()).toEqual(fdsBefore);
    expect(mounts()).toBe(mountsBefore);
    expect(tempFiles()).toEqual([]);
    expect(runCgroupsOf([process.pid])).toEqual([]);
  }, 60_000 + SOAK_RUNS * 5_000);

  test("a crashing process (#633's prototype abort) leaves nothing behind", async () => {
    const found = scenarioByName("one-app-isolated");
    if (!found.ok) throw new Error(found.error);
    const scenario = { ...found.scenario, unitd: { ...found.scenario.unitd, firstPid: 2 } };
    const run = await runScenarioOnReal(scenario, { fixes: [] });
    expect(run.trace.some((e) => e.kind === "crash")).toBe(true);
    expect(processesOfRun(run.runId)).toEqual([]);
    expect(childPids()).toEqual([]);
  });

  test("a SIGKILLed harness takes its run with it", async () => {
    const harness = execa(process.execPath, ["--import", "tsx", join(HERE, "harness-child.ts"), "kill-restart-app"], { cwd: REPO, reject: false, buffer: false });
    let runId = "";
    harness.stdout!.on("data", (chunk: Buffer) => {
      runId ||= /run (\S+)/.exec(chunk.toString())?.[1] ?? "";
    });
    // Mid-run: the run's processes are up (kill-restart-app waits 2 s for its action).
    expect(await until(() => runId !== "" && processesOfRun(runId).length >= 4, 15_000)).toBe(true);
    harness.kill("SIGKILL");
    await harness;
    expect(await until(() => processesOfRun(runId).length === 0, 5_000), `left: ${processesOfRun(runId).join(", ")}`).toBe(true);
    // Its cgroup (where the machine gives one) outlives it until the next run starts, which
    // removes it once it is empty: the killed run's last processes may still be zombies in it
    // for a moment after they left /proc's command lines (under load, more than a moment).
    const stale = leftoverRunCgroups().filter((dir) => dir.endsWith(`/nxtsim-${runId}`));
    expect(await until(() => stale.every((dir) => tasksIn(dir) === 0), 15_000), `tasks left in ${stale.join(", ")}`).toBe(true);
    const boot = scenarioByName("boot-only");
    if (!boot.ok) throw new Error(boot.error);
    const next = await runScenarioOnReal(boot.scenario, { timeScale: 0.1 });
    expect(stale.length > 0).toBe(next.confinement.cgroup!.applied);
    expect(runCgroupsOf([process.pid, harness.pid!])).toEqual([]);
  });
});

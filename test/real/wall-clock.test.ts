// Wall-clock limits on the real backend, and explore stopped by a signal. A run in progress is
// cut by its deadline (explore's --time, an interrupt) and ends as "budget", its processes torn
// down: no process, zombie, harness fd, mount, temporary file or cgroup is left. On the CLI,
// --time cuts the run in progress (not counted, not judged), --run-time ends a run as
// "timeout", and SIGINT/SIGTERM print the summary of the runs made and exit 130.
// kill-restart-app's action is at 2 s: no run of it ends before that, so a cut is certain by
// construction, not by timing. Bounds below are hang guards only.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { execa } from "execa";
import { afterAll, expect, test } from "vitest";

import { realExploreSummary } from "../../cli/real-commands.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import type { RealExploreResult } from "../../harness/explore-real.ts";
import { readResultFile, REAL_RESULT_FORMAT } from "../../harness/result-file.ts";
import { RUN_ID_ENV } from "../../real/child-command.ts";
import { processesOfRun } from "../../real/leftovers.ts";
import { runCgroupsOf } from "../../real/run-cgroup.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { BIN, REPO } from "../cli/helpers.ts";
import { childPids, describeReal, openFds } from "./native-helpers.ts";

// Made when a test first needs it: a file whose tests are all skipped runs no afterAll.
let tmp: string | null = null;
afterAll(() => {
  if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
});

function killRestartApp() {
  const found = scenarioByName("kill-restart-app");
  if (!found.ok) throw new Error(found.error);
  return found.scenario;
}

/** Live processes (zombies included) of any run of the harness with this pid. */
function processesOfHarness(harnessPid: number): number[] {
  const marker = `${RUN_ID_ENV}=${harnessPid}-`;
  return readdirSync("/proc").filter((name) => {
    if (!/^\d+$/.test(name)) return false;
    try {
      return readFileSync(`/proc/${name}/environ`, "latin1").includes(marker);
    } catch {
      return false;
    }
  }).map(Number);
}

/** The CLI with a TMPDIR of its own, `dir` (`args` may name files in it); `onStderr` sees its stderr as it comes. */
function startCli(args: (dir: string) => string[], onStderr: (text: string, kill: (signal: NodeJS.Signals) => void) => void = () => {}) {
  tmp ??= mkdtempSync(join(tmpdir(), "nxtsim-wall-clock-"));
  const dir = mkdtempSync(join(tmp, "job-"));
  const child = execa(process.execPath, [BIN, ...args(dir)], { cwd: REPO, reject: false, env: { TMPDIR: dir, NXTSIM_DEBUG: "" } });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr(stderr, (signal) => child.kill(signal));
  });
  return { child, dir };
}

/** After the CLI exited: nothing of its runs is left (processes, cgroups, files in its TMPDIR but tsx's cache and `kept`). */
function expectNothingOfCli(pid: number, dir: string, kept: string[] = []): void {
  expect(processesOfHarness(pid)).toEqual([]);
  expect(runCgroupsOf([pid])).toEqual([]);
  expect(readdirSync(dir).filter((name) => !/^tsx-\d+$/.test(name))).toEqual(kept);
}

describeReal("real backend: wall-clock limits and interrupts", () => {
  test("a deadline cuts the run in progress: it ends as \"budget\" and leaves nothing", async () => {
    const scenario = killRestartApp();
    // Warm up (the bundle is built once per harness process) before taking the baseline.
    await runScenarioOnReal(scenario, { timeoutMs: 1 });
    const fdsBefore = openFds();
    const mountsBefore = readFileSync("/proc/self/mountinfo", "utf8");
    let runId = "";
    // Mid-run, whenever that is: the run's init, main and main's first children are up.
    const run = await runScenarioOnReal(scenario, { fixes: ["633"], onStart: (id) => (runId = id), deadline: () => processesOfRun(runId).length >= 4 });
    expect(run.reason).toBe("budget");
    expect(run.quiescent).toBe(false);
    expect(run.trace.length).toBeGreaterThan(0);
    expect(processesOfRun(run.runId)).toEqual([]);
    expect(childPids()).toEqual([]);
    expect(openFds()).toEqual(fdsBefore);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).toBe(mountsBefore);
    expect(readdirSync(join(REPO, "real")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(runCgroupsOf([process.pid])).toEqual([]);
  }, 60_000);

  test("explore --time cuts the run in progress; --run-time ends a run as \"timeout\"", async () => {
    // Both runs need over 2 s: --time 1 cuts the first, --run-time 0.5 times it out.
    const timed = startCli(() => ["explore", "--backend", "real", "--time", "1", "kill-restart-app"]);
    const own = startCli(() => ["replay", "--backend", "real", "--scenario", "kill-restart-app", "--run-time", "0.5"]);
    const [r, o] = await Promise.all([timed.child, own.child]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^real kernel: 0 runs, 0 events in [\d.]+ s \(0 events\/s\), stopped by --time \(the run in progress was cut: not counted, not judged\)$/m);
    expectNothingOfCli(timed.child.pid!, timed.dir);
    expect(o.stdout).toMatch(/^end: timeout after \d+ ms, \d+ events$/m);
    expectNothingOfCli(own.child.pid!, own.dir);
  }, 60_000);

  test("explore stopped by SIGINT or SIGTERM prints the summary of the runs made, writes --json, and exits 130", async () => {
    const stopped = (["SIGINT", "SIGTERM"] as const).map((signal) => {
      let sent = false;
      // Once the first run has been reported: the second is under way, or about to be.
      const cli = startCli((dir) => ["explore", "--backend", "real", "--runs", "50", "--fix", "633", "boot-only", "--json", join(dir, "result.json")], (text, kill) => {
        if (sent || !text.includes("real run 1:")) return;
        sent = true;
        kill(signal);
      });
      return { signal, ...cli, json: join(cli.dir, "result.json") };
    });
    for (const { signal, child, dir, json } of stopped) {
      const r = await child;
      expect(r.exitCode, r.stderr).toBe(130);
      const runs = Number(/^real kernel: (\d+) runs, \d+ events in [\d.]+ s \(\d+ events\/s\), stopped by an interrupt/m.exec(r.stdout)?.[1]);
      expect(runs, r.stdout).toBeGreaterThanOrEqual(1);
      expect(runs).toBeLessThan(50);
      expect(r.stdout).toMatch(/^no failures$/m);
      expect(r.stderr.trim().split("\n").at(-1)).toBe(`nxtsim: interrupted (${signal}) after ${runs} runs; the summary and the --json file cover them`);
      // The result file holds what the summary says: the summary is made from it.
      const result = JSON.parse(readFileSync(json, "utf8")) as RealExploreResult & { format: string };
      expect(result.format).toBe(REAL_RESULT_FORMAT);
      expect(result).toMatchObject({ stoppedBy: "interrupted", runs, failures: [] });
      expect(r.stdout + "\n").toBe(realExploreSummary(result));
      expect(() => readResultFile(json)).toThrow(/a result of explore --backend real, which is not merged/);
      expectNothingOfCli(child.pid!, dir, ["result.json"]);
    }
  }, 90_000);
});

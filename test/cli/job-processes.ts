// A job as CI starts one: nxtsim under `sh -c` (a script's line), or under `npm exec -c`
// (npx's chain: npm, then `sh -c`, then node), marked so that every process of it is found in
// /proc; and "nothing of it is left": every process ever seen gone, zombies included.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { execa, type ResultPromise } from "execa";

import { RUN_ID_ENV } from "../../real/child-command.ts";
import { BIN, REPO } from "./helpers.ts";

export type Top = "sh" | "npm";

const MARK_ENV = "NXTSIM_TEST_JOB";
let jobs = 0;

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "latin1");
  } catch {
    return "";
  }
}

/** Start time of a live (or zombie) process, "" when gone: a reused pid has another one. */
function startTime(pid: number): string {
  const stat = readProc(String(pid), "stat");
  return stat === "" ? "" : stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

export interface Job {
  top: ResultPromise;
  /** The job's private TMPDIR. */
  tmp: string;
  /** The nxtsim process (0 until seen). */
  harness(): number;
  /** Pids of the job's processes alive now: the marked ones and every real run's. */
  processes(): number[];
  /** Pids of the real processes of its runs alive now. */
  runProcesses(): number[];
  /** Processes seen so far that still exist (zombies too). */
  left(): number[];
  /** The left ones, each as "pid (state, parent pid, command)", for a failure message. */
  describeLeft(): string;
  /** SIGKILLs what is left of the job (after a failed test) and removes its TMPDIR. */
  dispose(): void;
}

/** Starts `nxtsim args...` the way `top` runs commands, in `cwd`. */
export function startJob(top: Top, args: readonly string[], cwd: string): Job {
  const mark = `${process.pid}-${++jobs}`;
  const tmp = mkdtempSync(join(tmpdir(), "nxtsim-job-"));
  const line = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  // `; :` keeps the shell a process of its own whatever the shell (bash would exec a lone command).
  const [file, argv] = top === "sh" ? ["/bin/sh", ["-c", `${line}; :`]] : ["npm", ["exec", "--offline", "-c", `${line}; :`]];
  const child = execa(file, argv, { cwd, reject: false, env: { [MARK_ENV]: mark, TMPDIR: tmp, NXTSIM_DEBUG: "" } });
  const seen = new Map<number, string>();
  let harness = 0;
  let inRuns: number[] = [];
  const processes = (): number[] => {
    const runMark = `${RUN_ID_ENV}=${harness}-`;
    const out: number[] = [];
    inRuns = [];
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      const env = readProc(name, "environ");
      const ours = env.includes(`${MARK_ENV}=${mark}\0`);
      if (ours && harness === 0 && readProc(name, "cmdline").split("\0")[1] === BIN) harness = Number(name);
      const inRun = harness !== 0 && env.includes(runMark);
      if (inRun) inRuns.push(Number(name));
      if (ours || inRun) out.push(Number(name));
    }
    // A process gone between the directory read and its stat has no start time: it is not
    // one to wait for (recorded as "", it would match the "" of a gone pid for ever).
    for (const pid of out) {
      const start = startTime(pid);
      if (!seen.has(pid) && start !== "") seen.set(pid, start);
    }
    return out;
  };
  return {
    top: child,
    tmp,
    harness: () => harness,
    processes,
    runProcesses: () => {
      processes();
      return inRuns;
    },
    left: () => {
      processes();
      return [...seen].filter(([pid, start]) => start !== "" && startTime(pid) === start).map(([pid]) => pid);
    },
    describeLeft: () =>
      [...seen]
        .filter(([pid, start]) => startTime(pid) === start)
        .map(([pid]) => {
          const f = readProc(String(pid), "stat");
          const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
          return `${pid} (${fields[0]}, parent ${fields[1]}, ${readProc(String(pid), "cmdline").split("\0").slice(0, 2).join(" ")})`;
        })
        .join("; "),
    dispose: () => {
      for (const pid of processes()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone meanwhile */
        }
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** What the job left in its TMPDIR (tsx's compile cache is tsx's, not the job's). */
export function tmpLeft(job: Job): string[] {
  return readdirSync(job.tmp).filter((name) => !/^tsx-\d+$/.test(name));
}

export async function until(done: () => boolean, ms: number): Promise<boolean> {
  for (const start = Date.now(); Date.now() - start < ms; ) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return done();
}

export { REPO };

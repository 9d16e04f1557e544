// Helpers for tests that drive the native addon for real: the probe and skip rule, node
// children with captured output, exit waiting by pidfd, and the "nothing left behind" check.
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as native from "../../real/native.ts";
import type { SpawnOptions, WaitResult } from "../../real/native.ts";
import { realSupport } from "../../real/probe.ts";

export const SIGKILL = 9;

/** Why the real tests cannot run here, or null (the probe lives with the backend). */
export function probeNative(): string | null {
  const support = realSupport();
  return support.ok ? null : support.reason;
}

export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/** setgroups, then uid_map, then gid_map, each in one write(2) as the kernel requires.
 * "allow" keeps setgroups(2) usable in the child; only a privileged writer may leave it so.
 * The child keeps its creator's uid/gid across clone: to keep its capabilities through
 * execve, the maps must map that uid/gid to 0 inside. */
export function writeIdMaps(pid: number, uids: IdRange[], gids: IdRange[]): void {
  const lines = (ranges: IdRange[]) => ranges.map((r) => `${r.inside} ${r.outside} ${r.count}\n`).join("");
  writeFileSync(`/proc/${pid}/setgroups`, process.getuid!() === 0 ? "allow" : "deny");
  writeFileSync(`/proc/${pid}/uid_map`, lines(uids));
  writeFileSync(`/proc/${pid}/gid_map`, lines(gids));
}

/**
 * describe() for tests that need the real kernel. When the probe fails the suite is skipped
 * with the reason in its name (and on stderr), unless NXTSIM_REAL_MUST_WORK=1: then it fails.
 */
export function describeReal(name: string, body: () => void): void {
  const reason = probeNative();
  if (reason === null) {
    describe(name, body);
  } else if (process.env.NXTSIM_REAL_MUST_WORK === "1") {
    describe(name, () => {
      test("the real kernel is usable (NXTSIM_REAL_MUST_WORK=1)", () => {
        throw new Error(reason);
      });
    });
  } else {
    process.stderr.write(`skipping "${name}": ${reason}\n`);
    describe.skip(`${name} (skipped: ${reason})`, body);
  }
}

/** Open fds of this process as "fd -> target", without the one readdir itself used. */
export function openFds(): string[] {
  const dir = "/proc/self/fd";
  const entries: string[] = [];
  for (const fd of readdirSync(dir)) {
    try {
      entries.push(`${fd} -> ${readlinkSync(`${dir}/${fd}`)}`);
    } catch {
      // the directory fd readdir had open, closed since
    }
  }
  return entries.sort();
}

/** Pids of this process's children (zombies included), from every thread's children list. */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync("/proc/self/task")) {
    const text = readFileSync(`/proc/self/task/${task}/children`, "utf8").trim();
    if (text !== "") pids.push(...text.split(/\s+/).map(Number));
  }
  return pids;
}

/** Each test must end with the fds it started with and no child, zombie or not. */
export function expectNothingLeftBehind(): void {
  let before: string[] = [];
  beforeEach(() => {
    before = openFds();
  });
  afterEach(() => {
    expect(childPids()).toEqual([]);
    expect(openFds()).toEqual(before);
  });
}

/** Resolves when the child behind pidfd exits: reaps it and closes pidfd. SIGKILLs it after
 * `timeoutMs` so that a broken test fails instead of hanging. */
export function waitExit(pidfd: number, timeoutMs = 20_000): Promise<WaitResult> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => native.pidfdSendSignal(pidfd, SIGKILL), timeoutMs);
    const watcher = native.watchReadable(pidfd, () => {
      const result = native.pidfdWait(pidfd);
      if (result === null) return;
      clearTimeout(timer);
      watcher.stop();
      native.close(pidfd);
      resolve(result);
    });
  });
}

/** A JavaScript program for a node child: the addon is at hand as `addon`. */
export function nodeScript(body: string): string[] {
  return [process.execPath, "-e", `const addon = require(${JSON.stringify(native.ADDON_PATH)});\n${body}`];
}

export interface ChildRun {
  pid: number;
  exit: WaitResult;
  stdout: string;
  stderr: string;
}

/** Files that capture a child's stdout and stderr; cleanup() closes and removes them. */
export function captureFiles(): { stdout: number; stderr: number; read(): { stdout: string; stderr: string }; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "nxtsim-native-"));
  const stdout = openSync(join(dir, "stdout"), "w+");
  const stderr = openSync(join(dir, "stderr"), "w+");
  return {
    stdout,
    stderr,
    read: () => ({
      stdout: readFileSync(join(dir, "stdout"), "utf8"),
      stderr: readFileSync(join(dir, "stderr"), "utf8"),
    }),
    cleanup: () => {
      closeSync(stdout);
      closeSync(stderr);
      rmSync(dir, { recursive: true });
    },
  };
}

/** Spawns argv (argv[0] is the file) with stdout/stderr captured, optionally acts on the held
 * child before release (`beforeRelease`) or on the running one (`whileRunning`), and waits. */
export async function runChild(
  argv: string[],
  options: Partial<Omit<SpawnOptions, "file" | "argv" | "stdio">> & {
    beforeRelease?: (pid: number) => void;
    whileRunning?: (pid: number, pidfd: number) => void;
  } = {},
): Promise<ChildRun> {
  const capture = captureFiles();
  const stdin = openSync("/dev/null", "r");
  try {
    const hold = options.beforeRelease !== undefined;
    const child = native.spawn({
      file: argv[0]!,
      argv,
      envp: options.envp ?? [],
      cloneFlags: options.cloneFlags ?? 0,
      keepFds: options.keepFds ?? [],
      stdio: [stdin, capture.stdout, capture.stderr],
      pdeathsig: options.pdeathsig,
      holdUntilRelease: hold,
    });
    const exited = waitExit(child.pidfd);
    if (hold) {
      try {
        options.beforeRelease!(child.pid);
      } catch (error) {
        native.close(child.syncFd); // the held child exits 127 without exec
        await exited;
        throw error;
      }
      try {
        native.release(child.syncFd);
      } catch (error) {
        await exited;
        throw error;
      }
    }
    options.whileRunning?.(child.pid, child.pidfd);
    const exit = await exited;
    return { pid: child.pid, exit, ...capture.read() };
  } finally {
    closeSync(stdin);
    capture.cleanup();
  }
}

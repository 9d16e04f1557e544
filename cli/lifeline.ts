// nxtsim never outlives the job that started it. A CI runner that cancels a job often signals
// only the job's top process, and nothing passes the signal down to us: npx passes SIGTERM
// and SIGINT on to the `sh -c` it runs nxtsim in, and that shell dies of SIGTERM (leaving us
// orphaned) and defers SIGINT until its child exits (POSIX shells expect a terminal to have
// sent it to the whole process group); SIGKILL reaches no one below its target.
//
// So the CLI watches the processes above it in its own session (a job's shell, npx, the
// `sh -c`; not beyond the session, so that `setsid nxtsim ...` runs detached), and stops as
// if signalled itself:
// - SIGTERM when one of them dies (a pid gone, a zombie, or a new process with its pid);
// - SIGINT when one of them that sleeps waiting for its one child (the next one down towards
//   us) wakes up and waits again: with that child running, only a signal wakes a waiter, and
//   one it survives is one it caught and deferred (a shell's SIGINT).
// A child that stops or continues also wakes its waiter: a look that finds the child stopped
// starts the comparison again (a stop and continue both between two looks would pass for a
// signal). The run's real processes follow the harness (pdeathsig on each run's init), and
// explore's workers are its threads.

import { readFileSync } from "node:fs";

import { INTERRUPTED } from "./interrupt.ts";

/** How often the processes above are looked at (a few small /proc reads each time). */
export const LIFELINE_POLL_MS = 200;
/** After stopping itself, a harness still alive this much later exits at once. */
const GRACE_MS = 5_000;

export type LostSignal = "SIGTERM" | "SIGINT";

interface ProcStat {
  state: string;
  ppid: number;
  session: number;
  /** Start time in clock ticks since boot: a pid reused by another process has another one. */
  start: string;
}

interface Waiter {
  /** Context switches when last seen sleeping in wait for its one child. */
  switches: number;
}

interface Ancestor {
  pid: number;
  start: string;
  /** The next process down the chain (us, for our parent). */
  child: number;
  waiter: Waiter | null;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: f[0]!, ppid: Number(f[1]), session: Number(f[3]), start: f[19]! };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The processes above us in our session, nearest first. */
function ancestorsInSession(): Ancestor[] {
  const self = readStat(process.pid);
  if (self === null) return [];
  const out: Ancestor[] = [];
  let child = process.pid;
  let pid = self.ppid;
  // ppid 0: the parent is outside our pid namespace; pid 1 never dies.
  while (pid > 1) {
    const stat = readStat(pid);
    if (stat === null || stat.session !== self.session) break;
    out.push({ pid, start: stat.start, child, waiter: null });
    if (pid === self.session) break;
    child = pid;
    pid = stat.ppid;
  }
  return out;
}

function alive(a: Ancestor): boolean {
  const stat = readStat(a.pid);
  return stat !== null && stat.start === a.start && stat.state !== "Z" && stat.state !== "X";
}

/** A look at a possible waiter: asleep in wait, awake for a moment, or no waiter at all. */
type WaiterSample = { kind: "waiting"; switches: number } | { kind: "awake" } | { kind: "none" };

/**
 * A waiter is a single-threaded process whose only child is `child` (running, not stopped);
 * "waiting" when it sleeps in wait. Woken, it may stay runnable for a while on a loaded
 * machine before it waits again: "awake" keeps what was last seen of it.
 */
function sampleWaiter(pid: number, child: number): WaiterSample {
  const status = readText(`/proc/${pid}/status`);
  if (status === null || !/^Threads:\s*1$/m.test(status)) return { kind: "none" };
  if (readText(`/proc/${pid}/task/${pid}/children`)?.trim() !== String(child)) return { kind: "none" };
  const childState = readStat(child)?.state;
  if (childState === undefined || childState === "T" || childState === "t") return { kind: "none" };
  if (readText(`/proc/${pid}/wchan`) !== "do_wait") return { kind: "awake" };
  const count = (name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)$`, "m").exec(status)?.[1] ?? NaN);
  const switches = count("voluntary_ctxt_switches") + count("nonvoluntary_ctxt_switches");
  return Number.isNaN(switches) ? { kind: "none" } : { kind: "waiting", switches };
}

/** What one look at the chain found: nothing, or the signal to stop with. */
function look(chain: Ancestor[]): LostSignal | null {
  for (const a of chain) {
    if (!alive(a)) return "SIGTERM";
    const sample = sampleWaiter(a.pid, a.child);
    if (sample.kind === "awake") continue;
    if (sample.kind === "none") {
      a.waiter = null;
      continue;
    }
    if (a.waiter !== null && sample.switches !== a.waiter.switches) return "SIGINT";
    a.waiter = { switches: sample.switches };
  }
  return null;
}

export interface Lifeline {
  stop(): void;
}

/** Calls `onLost` once, when a process above us in our session dies or was signalled. */
export function watchLifeline(onLost: (signal: LostSignal) => void, pollMs = LIFELINE_POLL_MS): Lifeline {
  const chain = ancestorsInSession();
  look(chain);
  const timer = setInterval(() => {
    const lost = look(chain);
    if (lost === null) return;
    clearInterval(timer);
    onLost(lost);
  }, pollMs);
  // Never what keeps the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * The CLI's lifeline (bin/nxtsim.js): the lost job's signal is raised on ourselves, so that
 * what a signal does (explore stops and reports; other commands end at once, their real
 * runs with them) happens; a harness still alive GRACE_MS later exits.
 */
export function stopWithTheJob(): Lifeline {
  return watchLifeline((signal) => {
    setTimeout(() => process.exit(INTERRUPTED), GRACE_MS).unref();
    process.kill(process.pid, signal);
  });
}

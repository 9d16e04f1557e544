// What must hold once a run has quiesced: no fd to a dead port, no zombie under a live
// parent, and after a shutdown signal to main nothing left (main last).

import type { Check, RunView, Violation } from "../check.ts";

const SHUTDOWN_SIGNALS = new Set([2, 3, 15]);

/** main was sent SIGINT, SIGQUIT or SIGTERM during the run. */
export function shutdownRequested(run: RunView, mainPid: number): boolean {
  return run.trace.some((e) => e.kind === "signal" && e.pid === mainPid && SHUTDOWN_SIGNALS.has(e.sig));
}

/**
 * main was killed by SIGKILL during the run (by the scenario or a fault): the server is gone by
 * no doing of Unit's. The sim records the signal's delivery; on the real backend a SIGKILLed
 * main reports nothing (its reaper is the run's init), and the harness's own record of the
 * kill it made is what the trace has.
 */
export function mainKilled(run: RunView, mainPid: number): boolean {
  return run.trace.some((e) => (e.kind === "signal" && e.pid === mainPid && e.sig === 9) || (e.kind === "action" && isKillOf(e.action, mainPid)));
}

/** A harness action `{ signal: 9, pid }` (Sim.signal and the real harness record their kills so). */
function isKillOf(action: unknown, pid: number): boolean {
  const a = action as { signal?: unknown; pid?: unknown } | null;
  return typeof a === "object" && a !== null && a.signal === 9 && a.pid === pid;
}

export const noDeadPortFds: Check = {
  name: "no-dead-port-fds",
  claim: "while the server is up (main running, no shutdown asked), at quiescence every socket end a live process holds has its peer end held by some live process",
  check: (run) => {
    const main = run.facts.find((f) => f.ptype === "main");
    // After a shutdown request, leftover processes are shutdown-completes' business.
    if (!run.quiescent || main === undefined || main.status !== "running" || shutdownRequested(run, main.pid)) return [];
    const live = run.facts.filter((f) => f.status === "running");
    const holders = new Map<string, number>();
    for (const f of live) for (const d of f.fds) if (d.kind === "socket") holders.set(`${d.sock}/${d.end}`, f.pid);
    const out: Violation[] = [];
    for (const f of live) {
      for (const d of f.fds) {
        if (d.kind === "socket" && !holders.has(`${d.sock}/${1 - d.end}`)) {
          out.push({ check: "no-dead-port-fds", reason: `${f.ptype} ${f.pid} holds fd ${d.fd} of socket ${d.sock} whose peer end is gone`, step: -1 });
        }
      }
    }
    return out;
  },
};

export const noZombies: Check = {
  name: "no-zombies",
  claim: "at quiescence no exited child of a live process is left unreaped",
  check: (run) => {
    if (!run.quiescent) return [];
    const live = new Set(run.facts.filter((f) => f.status === "running").map((f) => f.pid));
    return run.facts
      .filter((f) => f.status === "zombie" && live.has(f.ppid))
      .map((f) => ({ check: "no-zombies", reason: `${f.ptype} ${f.pid} is a zombie of live ${f.ppid}`, step: -1 }));
  },
};

export const shutdownCompletes: Check = {
  name: "shutdown-completes",
  claim:
    "after SIGQUIT, SIGTERM or SIGINT to main, main exits within the step budget and no process of the run outlives it: none is still running at the end (the hang) and none exits after main (the orphan); unless main was SIGKILLed, which no process can handle",
  check: (run) => {
    const main = run.facts.find((f) => f.ptype === "main");
    if (main === undefined) return [];
    if (!shutdownRequested(run, main.pid) || mainKilled(run, main.pid)) return [];
    if (!run.quiescent) return [{ check: "shutdown-completes", reason: "the run did not settle within its step budget", step: -1 }];
    const out: Violation[] = run.facts
      .filter((f) => f.status === "running")
      .map((f) => ({ check: "shutdown-completes", reason: `${f.ptype} ${f.pid} still running after shutdown`, step: -1 }));
    // Every process that exits after main outlived it, not only the last one to exit.
    const mainExit = run.trace.findIndex((e) => e.kind === "exit" && e.pid === main.pid);
    if (mainExit < 0) return out;
    for (const e of run.trace.slice(mainExit + 1)) {
      if (e.kind === "exit") out.push({ check: "shutdown-completes", reason: `${e.ptype} ${e.pid} exited after main`, step: e.step });
    }
    return out;
  },
};

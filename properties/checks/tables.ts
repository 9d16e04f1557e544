// The process tables (reference 3.2, invariants I1 and I2): adds, keys, ports, use counts
// and releases, judged from table events and the tables processes report (table-snapshot).

import type { TableEntry } from "../../lifecycle/kernel.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { Check, RunView, Violation } from "../check.ts";
import { deadAt, exitsAfter, indexTrace, type TableSnapshot } from "../trace-index.ts";
import { typeName } from "../unit-rules.ts";
import { mainKilled, shutdownRequested } from "./end-state.ts";

export const everyAddSucceeds: Check = {
  name: "every-add-succeeds",
  claim: "every nxt_runtime_process_add succeeds: table keys never collide",
  check: (run) =>
    run.trace.flatMap((e) =>
      e.kind === "model" && e.event.what === "table" && e.event.op === "add-failed"
        ? [{ check: "every-add-succeeds", reason: `${e.ptype} ${e.pid}: add of pid ${e.event.pid} failed (key taken)`, step: e.step }]
        : [],
    ),
};

export const releasedOnce: Check = {
  name: "released-once",
  claim: "every process record is released at most once",
  check: (run) => {
    const seen = new Set<string>();
    const out: Violation[] = [];
    for (const e of run.trace) {
      if (e.kind !== "model" || e.event.what !== "table" || e.event.op !== "release") continue;
      const key = `${e.pid}/${e.event.oid}`;
      if (seen.has(key)) out.push({ check: "released-once", reason: `${e.ptype} ${e.pid}: record #${e.event.oid} released twice`, step: e.step });
      seen.add(key);
    }
    return out;
  },
};

/**
 * Unit's host pids (pids in main's namespace: the host's in the sim, the run's namespace on
 * the real kernel) of the processes that `parent` cloned and knows as `local` (that pid in
 * their innermost namespace). Empty when the kernel facts cannot tell (the child was reparented).
 */
function hostPidsOfClone(run: RunView, parent: number, local: number): number[] {
  const main = run.facts.find((f) => f.ptype === "main");
  const level = main === undefined ? 0 : main.nspids.length - 1;
  return run.facts.filter((f) => f.ppid === parent && f.nspids.at(-1) === local).map((f) => f.nspids[level] ?? f.pid);
}

export const tableKeysHostPids: Check = {
  name: "table-keys-host-pids",
  claim:
    "tables are keyed by host pids only: a process files a child it cloned under the child's host pid, never under the namespace pid clone returned (those belong in a prototype's private table only)",
  check: (run) => {
    const out: Violation[] = [];
    const lastSyscall = new Map<number, TraceEvent>();
    run.trace.forEach((e) => {
      if (e.kind === "syscall") {
        lastSyscall.set(e.pid, e);
        return;
      }
      if (e.kind !== "model" || e.event.what !== "table" || (e.event.op !== "add" && e.event.op !== "add-failed")) return;
      // process_create files the child right after clone returned it, with no syscall between.
      const clone = lastSyscall.get(e.pid);
      if (clone?.kind !== "syscall" || clone.call !== "clone" || clone.ret !== e.event.pid) return;
      const hosts = hostPidsOfClone(run, e.pid, e.event.pid);
      if (hosts.length > 0 && !hosts.includes(e.event.pid)) {
        out.push({
          check: "table-keys-host-pids",
          reason: `${e.ptype} ${e.pid} filed its child (host pid ${hosts[0]}) under namespace pid ${e.event.pid}`,
          step: e.step,
        });
      }
    });
    return out;
  },
};

/** Every reported table entry, with the snapshot it is in. */
function reportedEntries(run: RunView): { snap: TableSnapshot; entry: TableEntry }[] {
  return indexTrace(run.trace).snapshots.flatMap((snap) => snap.event.entries.map((entry) => ({ snap, entry })));
}

function where(snap: TableSnapshot): string {
  return `${snap.ptype} ${snap.pid} (${snap.event.at})`;
}

export const tableKeysUnique: Check = {
  name: "table-keys-unique",
  claim: "in every reported table each pid is filed once, under its record's current pid (every entry reachable by lookup)",
  check: (run) => {
    const out: Violation[] = [];
    for (const snap of indexTrace(run.trace).snapshots) {
      const seen = new Set<number>();
      for (const entry of snap.event.entries) {
        const bad = (what: string) => out.push({ check: "table-keys-unique", reason: `${where(snap)}: ${what}`, step: snap.step });
        if (entry.key !== entry.pid) bad(`record #${entry.oid} of pid ${entry.pid} is filed under pid ${entry.key}`);
        if (seen.has(entry.pid)) bad(`pid ${entry.pid} is filed twice`);
        seen.add(entry.pid);
      }
    }
    return out;
  },
};

export const everyRecordHasAPort: Check = {
  name: "every-record-has-a-port",
  claim: "every record in a reported table has at least one port",
  check: (run) =>
    reportedEntries(run)
      .filter(({ entry }) => entry.ports === 0)
      .map(({ snap, entry }) => ({
        check: "every-record-has-a-port",
        reason: `${where(snap)}: record of pid ${entry.pid} has no port`,
        step: snap.step,
      })),
};

/** Why a record may still be held: its ports' fds and queued messages, in words. */
function portsState(e: TableEntry): string {
  const fds = e.open === 0 ? "its ports closed" : `${e.open} of ${e.ports} port(s) still open`;
  return `${fds}, ${e.queued === 0 ? "nothing queued" : `${e.queued} message(s) still queued`}`;
}

export const useCountsReturnToZero: Check = {
  name: "use-counts-return-to-zero",
  claim:
    "in every reported table a record's use count equals its number of ports (so closing them brings it to 0); and while the server is up (no shutdown asked, main not killed), a record of a process already dead when its holder reports the table is released before the end of a quiescent run (holder still running)",
  check: (run) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    const leaked = new Set<string>();
    const running = new Set(run.facts.filter((f) => f.status === "running").map((f) => f.pid));
    const main = run.facts.find((f) => f.ptype === "main");
    // During a shutdown main tells nobody of deaths: leftovers are shutdown-completes' business;
    // nobody tells of main's own death (no process has it as a child but the harness).
    const serverUp = main !== undefined && !shutdownRequested(run, main.pid) && !mainKilled(run, main.pid);
    for (const { snap, entry } of reportedEntries(run)) {
      if (entry.useCount !== entry.ports) {
        out.push({
          check: "use-counts-return-to-zero",
          reason: `${where(snap)}: record of pid ${entry.pid} has use count ${entry.useCount} but ${entry.ports} port(s)`,
          step: snap.step,
        });
      }
      const key = `${snap.pid}/${entry.oid}`;
      const holderStays = serverUp && run.quiescent && running.has(snap.pid) && !exitsAfter(index, snap.pid, snap.index);
      if (!holderStays || leaked.has(key) || !deadAt(index, entry.pid, snap.index)) continue;
      if ((index.releases.get(key) ?? []).some((i) => i > snap.index)) continue;
      leaked.add(key);
      out.push({
        check: "use-counts-return-to-zero",
        reason: `${where(snap)}: record of dead ${typeName(entry.type)} ${entry.pid} (use count ${entry.useCount}, ${portsState(entry)}) is never released`,
        step: snap.step,
      });
    }
    return out;
  },
};

// Turns what the real processes reported into the sim's trace vocabulary: records sorted by
// ticket, socket inodes turned into socket-pair ids, each receive paired with its send (the
// sender's host pid), reaps mapped to host pids, and the deaths nobody could report
// themselves (SIGKILL, abort) written in at the time their reaper saw them.

import type { Json } from "../lifecycle/kernel.ts";
import type { TraceBody, TraceEvent } from "../lifecycle/trace.ts";
import type { SelfReport, WireRecord } from "./wire.ts";

/** A record as the harness received it: the sender's host pid comes from SCM_CREDENTIALS. */
export interface Received {
  readonly from: number;
  readonly record: WireRecord;
}

/** What the harness knows of a process (from its hello and /proc). */
export interface KnownProcess extends SelfReport {
  hostPid: number;
  /** Host pid of the parent, read from /proc when the hello arrived (0 if it was gone). */
  ppid: number;
}

export interface Normalised {
  trace: TraceEvent[];
  /** Socket inode -> [pair id, end]. */
  ends: Map<number, [number, 0 | 1]>;
  /** Exit of each host pid, from its own report or from its reaper's. */
  exits: Map<number, { status: number | null; signal: number | null }>;
}

export function normalise(received: readonly Received[], known: ReadonlyMap<number, KnownProcess>, initPid: number): Normalised {
  const ordered = [...received].sort((a, b) => a.record.ticket - b.record.ticket);
  const ends = new Map<number, [number, 0 | 1]>();
  const inFlight = new Map<number, number[]>(); // destination inode -> sender host pids, FIFO
  const exits = new Map<number, { status: number | null; signal: number | null }>();
  const ptypes = new Map<number, string>();
  const trace: TraceEvent[] = [];

  const push = (pid: number, nspid: number, t: number, body: TraceBody): void => {
    trace.push({ step: trace.length + 1, t, pid, nspid, ptype: ptypes.get(pid) ?? "", ...body } as TraceEvent);
  };
  const pairOf = (inode: number): number => ends.get(inode)?.[0] ?? inode;
  const peerOf = (inode: number): number | undefined => {
    const e = ends.get(inode);
    if (e === undefined) return undefined;
    for (const [ino, [pair, end]] of ends) if (pair === e[0] && end !== e[1]) return ino;
    return undefined;
  };

  for (const { from, record } of ordered) {
    if (record.r === "hello" || record.r === "timers") continue;
    if (record.r === "reaped") {
      const reaper = known.get(from);
      const child = reaper === undefined ? undefined : childOf(known, reaper, record.child);
      if (child === undefined) continue;
      const info = known.get(child)!;
      if (!exits.has(child)) {
        // Killed by a signal it could not report: its death shows where its reaper saw it.
        const nspid = info.nspids.at(-1) ?? 0;
        // After a crash the signal is abort's own doing, not one delivered to it (as in the sim).
        const crashed = [...trace].reverse().find((e) => e.pid === child)?.kind === "crash";
        if (record.signal !== null && !crashed) push(child, nspid, record.t, { kind: "signal", sig: record.signal, action: "default" });
        push(child, nspid, record.t, { kind: "exit", status: record.status, signal: record.signal });
        exits.set(child, { status: record.status, signal: record.signal });
      }
      // The run's init stands for the host's init, which reaps without a trace (as in the sim).
      if (from !== initPid) push(from, reaper!.nspids.at(-1) ?? 0, record.t, { kind: "reap", child, status: record.status, signal: record.signal });
      continue;
    }
    if (record.ptype !== "") ptypes.set(from, record.ptype);
    const body = rewrite(record.body, from);
    if (body.kind === "model" && body.event.what === "type") ptypes.set(from, body.event.type);
    if (body.kind === "exit") exits.set(from, { status: body.status, signal: body.signal });
    push(from, record.nspid, record.t, body);
  }
  return { trace, ends, exits };

  function rewrite(body: TraceBody, from: number): TraceBody {
    if (body.kind === "syscall" && body.call === "socketpair" && isPairRet(body.ret)) {
      const { fds, sock, peer } = body.ret;
      ends.set(sock, [sock, 0]);
      ends.set(peer, [sock, 1]);
      return { ...body, ret: { fds, sock } };
    }
    if (body.kind === "send") {
      const peer = peerOf(body.sock);
      if (body.ret === null && peer !== undefined) queue(peer).push(from);
      return { ...body, sock: pairOf(body.sock) };
    }
    if (body.kind === "recv") {
      const sender = queue(body.sock).shift() ?? 0;
      return { ...body, sock: pairOf(body.sock), from: sender };
    }
    return body;
  }

  function queue(inode: number): number[] {
    let q = inFlight.get(inode);
    if (q === undefined) inFlight.set(inode, (q = []));
    return q;
  }
}

function isPairRet(ret: Json): ret is { fds: [number, number]; sock: number; peer: number } {
  return typeof ret === "object" && ret !== null && !Array.isArray(ret) && typeof ret["sock"] === "number" && typeof ret["peer"] === "number";
}

/** The host pid of `child` (as its reaper sees it): a known process whose parent is the reaper. */
function childOf(known: ReadonlyMap<number, KnownProcess>, reaper: KnownProcess, child: number): number | undefined {
  const depth = reaper.nspids.length - 1;
  for (const p of known.values()) {
    if (p.ppid === reaper.hostPid && p.nspids[depth] === child) return p.hostPid;
  }
  for (const p of known.values()) {
    if (p.nspids[depth] === child && p.nspids.length > depth) return p.hostPid;
  }
  return undefined;
}

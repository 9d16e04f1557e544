// Lookups over a trace that several checks share: who reads which socket, each pid's type,
// the port messages sent, each process's handshake steps, the tables processes reported,
// and when processes exited and records were released.

import type { HandshakeStep, ModelEvent } from "../lifecycle/kernel.ts";
import type { PortMsg } from "../lifecycle/state.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { memoOn } from "./memo-on.ts";
import { portMsgCode, type PortMsgName } from "./unit-rules.ts";

export interface SentMessage {
  step: number;
  index: number;
  from: number;
  sock: number;
  msg: PortMsg;
  failed: boolean;
}

export interface TraceIndex {
  /** Host pid of the process that received datagrams on a socket (its port's owner). */
  readerOf: Map<number, number>;
  /** Each pid's type as it last reported it. */
  typeOf: Map<number, string>;
  sends: SentMessage[];
  handshakes: Map<number, { step: HandshakeStep; index: number }[]>;
  snapshots: TableSnapshot[];
  /** Trace indices of each pid's exit events (more than one if the pid was reused). */
  exits: Map<number, number[]>;
  /** Trace index of each record release, by `${holder pid}/${oid}`. */
  releases: Map<string, number[]>;
  /** Exit index -> index of the next event by a new process with the same (reused) pid. */
  reborn: Map<number, number>;
}

export type TableSnapshotEvent = Extract<ModelEvent, { what: "table-snapshot" }>;

/** A table a process reported (lifecycle/table-report.ts), with who reported it and when. */
export interface TableSnapshot {
  index: number;
  step: number;
  /** Host pid and type of the reporting process. */
  pid: number;
  ptype: string;
  event: TableSnapshotEvent;
}

const INDEX = Symbol("trace index");

/** The index of a finished trace (built once, kept on the trace, shared by every check of the run). */
export function indexTrace(trace: readonly TraceEvent[]): TraceIndex {
  return memoOn(trace, INDEX, () => buildIndex(trace));
}

function buildIndex(trace: readonly TraceEvent[]): TraceIndex {
  const readerOf = new Map<number, number>();
  const typeOf = new Map<number, string>();
  const sends: SentMessage[] = [];
  const handshakes = new Map<number, { step: HandshakeStep; index: number }[]>();
  const snapshots: TableSnapshot[] = [];
  const exits = new Map<number, number[]>();
  const releases = new Map<string, number[]>();
  const reborn = new Map<number, number>();
  const pendingExit = new Map<number, number>();
  const push = <K>(map: Map<K, number[]>, key: K, index: number) => map.set(key, [...(map.get(key) ?? []), index]);
  trace.forEach((e, index) => {
    const exited = pendingExit.get(e.pid);
    if (exited !== undefined && e.kind !== "exit") {
      reborn.set(exited, index);
      pendingExit.delete(e.pid);
    }
    if (e.kind === "exit") {
      push(exits, e.pid, index);
      pendingExit.set(e.pid, index);
    }
    if (e.kind === "model" && e.event.what === "table" && e.event.op === "release") push(releases, `${e.pid}/${e.event.oid}`, index);
    if (e.kind === "model" && e.event.what === "table-snapshot") snapshots.push({ index, step: e.step, pid: e.pid, ptype: e.ptype, event: e.event });
    if (e.kind === "recv" && !readerOf.has(e.sock)) readerOf.set(e.sock, e.pid);
    // A send that failed before queuing (a bad fd) may carry no message.
    if (e.kind === "send" && typeof e.msg === "object" && e.msg !== null) {
      sends.push({ step: e.step, index, from: e.pid, sock: e.sock, msg: e.msg as unknown as PortMsg, failed: e.ret !== null });
    }
    if (e.kind === "model" && e.event.what === "type") typeOf.set(e.pid, e.event.type);
    if (e.kind === "model" && e.event.what === "handshake") {
      const list = handshakes.get(e.pid) ?? [];
      list.push({ step: e.event.step, index });
      handshakes.set(e.pid, list);
    }
  });
  return { readerOf, typeOf, sends, handshakes, snapshots, exits, releases, reborn };
}

/** The process with host pid `pid` at trace index `at` exits at some later index. */
export function exitsAfter(index: TraceIndex, pid: number, at: number): boolean {
  return (index.exits.get(pid) ?? []).some((i) => i > at);
}

/** The process with host pid `pid` has exited by trace index `at` (and no later one runs yet). */
export function deadAt(index: TraceIndex, pid: number, at: number): boolean {
  const exit = (index.exits.get(pid) ?? []).filter((i) => i < at).at(-1);
  if (exit === undefined) return false;
  const next = index.reborn.get(exit);
  return next === undefined || next > at;
}

export function messagesOfType(index: TraceIndex, name: PortMsgName): SentMessage[] {
  const code = portMsgCode(name);
  return index.sends.filter((s) => s.msg.type === code && !s.failed);
}

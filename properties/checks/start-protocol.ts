// What the start-protocol checks share: the few message codes they need, taken from Unit,
// and lookups over a trace (a process's lifetime, its replies carrying a stream).

import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { TraceIndex } from "../trace-index.ts";

/**
 * Raw message types at c8d9106a: a type's position in nxt_port_handlers_t (src/nxt_port.h,
 * `_NXT_PORT_MSG_* = nxt_port_handler_idx(...)`).
 */
export const MSG = {
  RPC_READY: 0,
  RPC_ERROR: 1,
  START_PROCESS: 2,
  NEW_PORT: 10,
  PROCESS_CREATED: 15,
  PROCESS_READY: 16,
  WHOAMI: 17,
  REMOVE_PID: 18,
  DATA: 24,
} as const;

/**
 * What answers a request on its stream (src/nxt_port_rpc.c, nxt_router.c): RPC_READY or
 * RPC_ERROR; NEW_PORT of the started process (nxt_port_send_new_port passes the READY's
 * stream); REMOVE_PID of a process that died while started for that stream (the router
 * re-dispatches it as RPC_ERROR).
 */
export const REPLY_TYPES: ReadonlySet<number> = new Set([MSG.RPC_READY, MSG.RPC_ERROR, MSG.NEW_PORT, MSG.REMOVE_PID]);

/** A port message's header as the trace records it. */
export interface MsgHeader {
  type: number;
  stream: number;
  last: boolean;
  pid: number;
  body: unknown;
}

export function header(msg: unknown): MsgHeader | null {
  return typeof msg === "object" && msg !== null && "type" in msg ? (msg as MsgHeader) : null;
}

/**
 * The trace index at which the process that is `pid` at index `from` ends: its first exit
 * after `from`, or the trace's length if it lives on (a reused pid is a later process).
 */
export function lifeEnd(index: TraceIndex, trace: readonly TraceEvent[], pid: number, from: number): number {
  return (index.exits.get(pid) ?? []).find((i) => i > from) ?? trace.length;
}

/** The process ending at `end` was killed by a signal (it ran no code of its own to the end). */
export function killedAt(trace: readonly TraceEvent[], end: number): boolean {
  const e = trace[end];
  return e !== undefined && e.kind === "exit" && e.signal !== null;
}

/** Each pid's name as it last reported it with its type ("\"a\" application", "router"). */
export function namesByPid(trace: readonly TraceEvent[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const e of trace) if (e.kind === "model" && e.event.what === "type") names.set(e.pid, e.event.name);
  return names;
}

/** `who`'s description: its type as it last reported it, and its pid. */
export function who(index: TraceIndex, pid: number): string {
  return `${index.typeOf.get(pid) ?? "process"} ${pid}`;
}

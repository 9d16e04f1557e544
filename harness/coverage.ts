// Transition coverage of a run: the distinct (process type, handshake state, message type)
// triples at which a process received a port message. A strategy that reaches more of them
// drives processes through more of their protocol (a prototype reading REMOVE_PID while it
// waits for its WHOAMI reply is one such triple). The handshake state is the last handshake
// step the receiving process reported ("-" before any).

import { MSG_TYPE_NAMES } from "../lifecycle/port-messages.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";

function messageType(msg: unknown): string {
  const type = typeof msg === "object" && msg !== null ? (msg as { type?: unknown }).type : undefined;
  return typeof type === "number" ? (MSG_TYPE_NAMES[type] ?? `type-${type}`) : "?";
}

/** The run's transitions as "ptype|handshake state|message type", sorted, each once. */
export function transitionsOf(trace: readonly TraceEvent[]): string[] {
  const handshake = new Map<number, string>();
  const seen = new Set<string>();
  for (const e of trace) {
    if (e.kind === "model" && e.event.what === "handshake") handshake.set(e.pid, e.event.step);
    else if (e.kind === "exit") handshake.delete(e.pid);
    else if (e.kind === "recv") seen.add(`${e.ptype || "?"}|${handshake.get(e.pid) ?? "-"}|${messageType(e.msg)}`);
  }
  return [...seen].sort();
}

/** Two sorted transition lists as one (sorted union). */
export function unionTransitions(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

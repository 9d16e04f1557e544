// Which datagram went where: every send of the trace paired with the recv that read it.
//
// A send names only its socket pair (`sock`), not the end it was queued on, and both ends of a
// pair can carry datagrams; a recv names its sender (`from`). Each direction of a pair is FIFO,
// so a recv reads the oldest datagram still queued on that pair by that sender; its content is
// compared too, as a check. A send that failed (its `ret` is an errno) queued nothing; a queued
// datagram that nobody read was lost with its reader (the peer died or closed its end), and it
// is drawn to the process that reads that pair from the sender's side, when one ever did.

import type { Json } from "../../lifecycle/kernel.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";

export type Delivery =
  | { readonly kind: "delivered"; readonly recv: number; readonly to: number }
  | { readonly kind: "lost"; readonly to: number | null }
  | { readonly kind: "failed"; readonly errno: string; readonly to: number | null };

export interface Message {
  /** Index of the send event in the trace. */
  readonly send: number;
  readonly from: number;
  readonly msg: Json;
  readonly delivery: Delivery;
}

export interface MessageMap {
  /** One per send event, in trace order. */
  readonly messages: readonly Message[];
  /** The message a send or recv event (by trace index) belongs to. */
  readonly byEvent: ReadonlyMap<number, Message>;
}

/** The errno a call returned ("EAGAIN"; the backends trace an errno as its name), or null. */
export function errnoOf(ret: Json): string | null {
  return typeof ret === "string" && /^E[A-Z]+$/.test(ret) ? ret : null;
}

/** The process that reads `sock` from the other side than `sender`: the last reader before `at`, else the first after. */
function peerOf(trace: readonly TraceEvent[], sock: number, sender: number, at: number): number | null {
  let before: number | null = null;
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.kind !== "recv" || e.sock !== sock || e.pid === sender) continue;
    if (i < at) before = e.pid;
    else return before ?? e.pid;
  }
  return before;
}

export function pairMessages(trace: readonly TraceEvent[]): MessageMap {
  const pending = new Map<string, number[]>(); // "sock/sender" -> queued send indexes, oldest first
  const recvOf = new Map<number, number>(); // send index -> recv index
  trace.forEach((e, i) => {
    if (e.kind === "send" && errnoOf(e.ret) === null) {
      const key = `${e.sock}/${e.pid}`;
      pending.set(key, [...(pending.get(key) ?? []), i]);
    } else if (e.kind === "recv") {
      const queue = pending.get(`${e.sock}/${e.from}`) ?? [];
      const text = JSON.stringify(e.msg);
      const at = queue.findIndex((s) => JSON.stringify((trace[s] as { msg: Json }).msg) === text);
      if (at >= 0) recvOf.set(queue.splice(at, 1)[0]!, i);
    }
  });

  const messages: Message[] = [];
  const byEvent = new Map<number, Message>();
  trace.forEach((e, i) => {
    if (e.kind !== "send") return;
    const errno = errnoOf(e.ret);
    const recv = recvOf.get(i);
    const delivery: Delivery =
      errno !== null
        ? { kind: "failed", errno, to: peerOf(trace, e.sock, e.pid, i) }
        : recv !== undefined
          ? { kind: "delivered", recv, to: trace[recv]!.pid }
          : { kind: "lost", to: peerOf(trace, e.sock, e.pid, i) };
    const m: Message = { send: i, from: e.pid, msg: e.msg, delivery };
    messages.push(m);
    byEvent.set(i, m);
    if (delivery.kind === "delivered") byEvent.set(delivery.recv, m);
  });
  return { messages, byEvent };
}

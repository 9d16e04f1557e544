// Lookups over a trace that several checks share: who reads which socket, each pid's type,
// the port messages sent, and each process's handshake steps.

import type { HandshakeStep } from "../lifecycle/kernel.ts";
import { MSG_TYPE_NAMES, type MsgTypeName } from "../lifecycle/port-messages.ts";
import type { PortMsg } from "../lifecycle/state.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";

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
}

const cache = new WeakMap<readonly TraceEvent[], TraceIndex>();

/** The index of a finished trace (built once, shared by every check of the run). */
export function indexTrace(trace: readonly TraceEvent[]): TraceIndex {
  const known = cache.get(trace);
  if (known !== undefined) return known;
  const built = buildIndex(trace);
  cache.set(trace, built);
  return built;
}

function buildIndex(trace: readonly TraceEvent[]): TraceIndex {
  const readerOf = new Map<number, number>();
  const typeOf = new Map<number, string>();
  const sends: SentMessage[] = [];
  const handshakes = new Map<number, { step: HandshakeStep; index: number }[]>();
  trace.forEach((e, index) => {
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
  return { readerOf, typeOf, sends, handshakes };
}

export function messagesOfType(index: TraceIndex, name: MsgTypeName): SentMessage[] {
  const code = MSG_TYPE_NAMES.indexOf(name);
  return index.sends.filter((s) => s.msg.type === code && !s.failed);
}

export const TYPE_INDEX: Readonly<Record<string, number>> = {
  main: 0,
  discovery: 1,
  controller: 2,
  router: 3,
  prototype: 4,
  app: 5,
};

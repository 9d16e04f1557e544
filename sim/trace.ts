// The trace recorder: every kernel call, model fact, signal, exit, reap, fault and harness
// action of a run, in the order it happened. Events are stored as objects and only
// formatted when asked; callers hand in objects that nobody mutates afterwards.

import { createHash } from "node:crypto";
import type { Json, ModelEvent } from "../lifecycle/kernel.ts";
import type { TraceBody, TraceEvent } from "../lifecycle/trace.ts";

/** Who an event is attributed to. */
export interface Actor {
  readonly hostPid: number;
  readonly nsPid: number;
  readonly ptype: string;
}

/** The harness itself (host pid 0). */
export const HARNESS: Actor = { hostPid: 0, nsPid: 0, ptype: "" };

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private lines: string[] = [];

  constructor(
    private readonly now: () => number,
    private readonly step: () => number,
  ) {}

  record(actor: Actor, body: TraceBody): void {
    // Head fields first, in the order lifecycle/trace.ts declares them.
    const event = {
      step: this.step(),
      t: this.now(),
      pid: actor.hostPid,
      nspid: actor.nsPid,
      ptype: actor.ptype,
      ...body,
    } as TraceEvent;
    this.events.push(event);
  }

  // Syscalls, model facts, sends and receives are nearly every event: built as one literal
  // each, in the field order record() gives them, they skip the generic spread and the body.

  syscall(actor: Actor, call: string, args: Json, ret: Json): void {
    const { hostPid: pid, nsPid: nspid, ptype } = actor;
    this.events.push({ step: this.step(), t: this.now(), pid, nspid, ptype, kind: "syscall", call, args, ret });
  }

  model(actor: Actor, event: ModelEvent): void {
    const { hostPid: pid, nsPid: nspid, ptype } = actor;
    this.events.push({ step: this.step(), t: this.now(), pid, nspid, ptype, kind: "model", event });
  }

  send(actor: Actor, fd: number, sock: number, msg: Json, nfds: number, ret: Json): void {
    const { hostPid: pid, nsPid: nspid, ptype } = actor;
    this.events.push({ step: this.step(), t: this.now(), pid, nspid, ptype, kind: "send", fd, sock, msg, nfds, ret });
  }

  recv(actor: Actor, fd: number, sock: number, msg: Json, fds: readonly number[], credPid: number, from: number): void {
    const { hostPid: pid, nsPid: nspid, ptype } = actor;
    this.events.push({ step: this.step(), t: this.now(), pid, nspid, ptype, kind: "recv", fd, sock, msg, fds, credPid, from });
  }

  /** One JSON object per line, each line ending in "\n". */
  jsonl(): string {
    for (let i = this.lines.length; i < this.events.length; i++) {
      this.lines.push(JSON.stringify(this.events[i]) + "\n");
    }
    return this.lines.join("");
  }

  hash(): string {
    return createHash("sha256").update(this.jsonl()).digest("hex");
  }
}

// What a real process tells the harness over the run's report channel (one SEQPACKET datagram
// per record). The harness receives them with SCM_CREDENTIALS, so the sender's host pid comes
// from the kernel, not from the record. Every record carries a ticket drawn from a counter
// shared by the whole run: tickets order the records as the events happened (a send takes
// its ticket before the datagram leaves, a receive after it arrived).

import type { TraceBody } from "../lifecycle/trace.ts";

export type NsName = "mnt" | "net" | "uts" | "ipc" | "cgroup" | "pid" | "user";

/** What a process knows of itself when it starts (and again after a re-exec). */
export interface SelfReport {
  /** NSpid from /proc/self/status: host (outermost) first, own namespace last. */
  nspids: number[];
  ns: Record<NsName, number>;
  uid: number;
  gid: number;
}

export type WireRecord =
  | { readonly r: "event"; readonly ticket: number; readonly t: number; readonly nspid: number; readonly ptype: string; readonly body: TraceBody }
  | ({ readonly r: "hello"; readonly ticket: number } & SelfReport)
  /** A child this process reaped: pid as the reaper sees it (the harness maps it to a host pid). */
  | { readonly r: "reaped"; readonly ticket: number; readonly t: number; readonly child: number; readonly status: number | null; readonly signal: number | null }
  /** Live timers of the process changed: the harness's quiescence needs them. */
  | { readonly r: "timers"; readonly ticket: number; readonly pending: number };

export function encodeRecord(record: WireRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

export function decodeRecord(data: Buffer): WireRecord {
  return JSON.parse(data.toString("utf8")) as WireRecord;
}

// The trace vocabulary shared by both backends. Properties, replay, shrinking and pictures
// read only these events (and kernel facts), so sim/ and real/ must emit the same shapes.
// Fields are always written in the order declared here: JSON.stringify keeps insertion
// order, which is what makes a trace byte-identical from run to run.

import type { Json, ModelEvent, Pid } from "./kernel.ts";

export interface TraceHead {
  /** Scheduler step at which the event happened (0 = boot). */
  readonly step: number;
  /** Virtual time in ms (sim) or ms since the run started (real). */
  readonly t: number;
  /** Host pid of the acting process (0 for the harness itself). */
  readonly pid: Pid;
  /** Pid of the acting process as it sees itself (differs in a pid namespace). */
  readonly nspid: Pid;
  /** Process type last reported by the model for this pid ("" before any). */
  readonly ptype: string;
}

export type TraceBody =
  | { readonly kind: "syscall"; readonly call: string; readonly args: Json; readonly ret: Json }
  | {
      readonly kind: "send";
      readonly fd: number;
      /** Kernel id of the socket pair the datagram was queued on. */
      readonly sock: number;
      readonly msg: Json;
      readonly nfds: number;
      readonly ret: Json;
    }
  | {
      readonly kind: "recv";
      readonly fd: number;
      readonly sock: number;
      readonly msg: Json;
      readonly fds: readonly number[];
      readonly credPid: Pid;
      /** Host pid of the sender. */
      readonly from: Pid;
    }
  | { readonly kind: "signal"; readonly sig: number; readonly action: "handler" | "default" | "ignore" }
  | { readonly kind: "model"; readonly event: ModelEvent }
  | { readonly kind: "crash"; readonly reason: string }
  | { readonly kind: "exit"; readonly status: number | null; readonly signal: number | null }
  | { readonly kind: "reap"; readonly child: Pid; readonly status: number | null; readonly signal: number | null }
  | { readonly kind: "action"; readonly action: Json }
  | { readonly kind: "fault"; readonly fault: string; readonly detail: Json }
  | { readonly kind: "internal-error"; readonly message: string };

export type TraceEvent = TraceHead & TraceBody;

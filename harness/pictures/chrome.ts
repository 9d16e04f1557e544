// A run as Chrome trace-event JSON (the {"traceEvents": [...]} form), for Perfetto
// (ui.perfetto.dev) or chrome://tracing: a track per process (pid = tid = host pid, named
// "type pid" by metadata events), every trace event an instant event, each send and recv a
// short complete event, and each delivered datagram a flow arrow from its send to its recv.
//
// Time: ts (µs) is the virtual time t * 1000, pushed on by TICK µs for each event that shares
// an earlier one's ms, so that events keep their trace order on every track; each event's
// args carry its exact step and t.

import type { TraceEvent } from "../../lifecycle/trace.ts";
import { messageLabel } from "./describe.ts";
import { sceneOf } from "./scene.ts";

const TICK = 10;
/** Length of a send or recv slice: less than TICK, so that slices of one track never overlap. */
const SLICE = 5;

export type ChromeEvent =
  | { name: string; ph: "M"; pid: number; tid: number; args: Record<string, string | number> }
  | { name: string; cat: string; ph: "i"; s: "t"; ts: number; pid: number; tid: number; args: Record<string, unknown> }
  | { name: string; cat: string; ph: "X"; ts: number; dur: number; pid: number; tid: number; args: Record<string, unknown> }
  | { name: string; cat: string; ph: "s"; id: number; ts: number; pid: number; tid: number }
  | { name: string; cat: string; ph: "f"; bp: "e"; id: number; ts: number; pid: number; tid: number };

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: "ms";
}

/** The trace as a Chrome trace object (renderChrome writes it as JSON). */
export function chromeTrace(trace: readonly TraceEvent[]): ChromeTrace {
  const scene = sceneOf(trace);
  const out: ChromeEvent[] = [];
  scene.processes.forEach((p, i) => {
    out.push({ name: "process_name", ph: "M", pid: p.pid, tid: p.pid, args: { name: p.label } });
    out.push({ name: "process_sort_index", ph: "M", pid: p.pid, tid: p.pid, args: { sort_index: i } });
    out.push({ name: "thread_name", ph: "M", pid: p.pid, tid: p.pid, args: { name: p.label } });
  });

  const tsOf: number[] = [];
  let previous = -Infinity;
  for (const e of trace) {
    previous = Math.max(e.t * 1000, previous + TICK);
    tsOf.push(previous);
  }

  const flowId = new Map(scene.messages.map((m, i) => [m.send, i + 1]));
  for (const e of scene.events) {
    const { pid, step, t } = e.event;
    const ts = tsOf[e.index]!;
    const args = { step, t, event: e.event };
    if (e.message === undefined) {
      out.push({ name: e.text, cat: e.event.kind, ph: "i", s: "t", ts, pid, tid: pid, args });
      continue;
    }
    const name = messageLabel(e.message.msg);
    out.push({ name: e.text, cat: e.event.kind, ph: "X", ts, dur: SLICE, pid, tid: pid, args });
    const d = e.message.delivery;
    if (d.kind !== "delivered") continue;
    const id = flowId.get(e.message.send)!;
    out.push(
      e.event.kind === "send"
        ? { name, cat: "message", ph: "s", id, ts, pid, tid: pid }
        : { name, cat: "message", ph: "f", bp: "e", id, ts, pid, tid: pid },
    );
  }
  return { traceEvents: out, displayTimeUnit: "ms" };
}

/** The JSON text, one trace event a line (so that it greps and diffs). */
export function renderChrome(trace: readonly TraceEvent[]): string {
  const { traceEvents, displayTimeUnit } = chromeTrace(trace);
  return `{"displayTimeUnit":${JSON.stringify(displayTimeUnit)},"traceEvents":[\n${traceEvents.map((e) => JSON.stringify(e)).join(",\n")}\n]}\n`;
}

// Pairing sends with recvs: every recv of real runs (faults included) is matched with the one
// send that queued its datagram, and hand-made traces show the lost, failed and two-way cases.

import { describe, expect, it } from "vitest";

import type { Json } from "../../lifecycle/kernel.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import { pairMessages } from "../../harness/pictures/messages.ts";
import { bug633Trace, HEAVY_FAULTS, shippedTrace } from "./runs.ts";

const head = (step: number, pid: number) => ({ step, t: step, pid, nspid: pid, ptype: "" });
const send = (step: number, pid: number, sock: number, msg: Json, ret: Json = null): TraceEvent => ({
  ...head(step, pid),
  kind: "send",
  fd: 3,
  sock,
  msg,
  nfds: 0,
  ret,
});
const recv = (step: number, pid: number, sock: number, msg: Json, from: number): TraceEvent => ({
  ...head(step, pid),
  kind: "recv",
  fd: 4,
  sock,
  msg,
  fds: [],
  credPid: from,
  from,
});

describe("pairMessages", () => {
  it("matches every recv of real runs with one earlier send of the same sender, pair and content", () => {
    const traces = [bug633Trace(), ...[1, 7, 16, 22].flatMap((seed) => ["two-apps", "shutdown-sigquit"].map((s) => shippedTrace(s, seed, HEAVY_FAULTS)))];
    let lost = 0;
    let failed = 0;
    for (const trace of traces) {
      const { messages, byEvent } = pairMessages(trace);
      const recvs = trace.flatMap((e, i) => (e.kind === "recv" ? [i] : []));
      expect(messages.filter((m) => m.delivery.kind === "delivered")).toHaveLength(recvs.length);
      for (const r of recvs) {
        const m = byEvent.get(r)!;
        const s = trace[m.send]!;
        const e = trace[r]!;
        expect(m.send).toBeLessThan(r);
        if (s.kind !== "send" || e.kind !== "recv") throw new Error("not a send/recv pair");
        expect([s.pid, s.sock, JSON.stringify(s.msg)]).toEqual([e.from, e.sock, JSON.stringify(e.msg)]);
        expect(m.delivery).toEqual({ kind: "delivered", recv: r, to: e.pid });
      }
      lost += messages.filter((m) => m.delivery.kind === "lost").length;
      failed += messages.filter((m) => m.delivery.kind === "failed").length;
    }
    // The sample has both kinds of undelivered sends.
    expect(lost).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });

  it("keeps the two directions of a pair apart, and finds the peer of a lost or failed send", () => {
    const trace = [
      send(1, 10, 7, "a1"), // 10 -> 20
      send(1, 20, 7, "b1"), // 20 -> 10
      send(2, 10, 7, "a2"), // never read
      recv(3, 10, 7, "b1", 20),
      recv(3, 20, 7, "a1", 10),
      send(4, 10, 7, "a3", "EAGAIN"),
      send(5, 30, 9, "c1"), // nobody ever reads pair 9
    ];
    const { messages } = pairMessages(trace);
    expect(messages.map((m) => [m.send, m.delivery])).toEqual([
      [0, { kind: "delivered", recv: 4, to: 20 }],
      [1, { kind: "delivered", recv: 3, to: 10 }],
      [2, { kind: "lost", to: 20 }],
      [5, { kind: "failed", errno: "EAGAIN", to: 20 }],
      [6, { kind: "lost", to: null }],
    ]);
  });
});

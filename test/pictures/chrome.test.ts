// The Chrome trace-event JSON: valid structure (required fields per phase, ts never going back
// on a track, every flow started and ended once, every track named), one track per process,
// every event kept, every delivered datagram a flow from its send to its recv.

import { describe, expect, it } from "vitest";

import { chromeTrace, renderChrome } from "../../harness/pictures/chrome.ts";
import { pairMessages } from "../../harness/pictures/messages.ts";
import { processesOf } from "../../harness/pictures/processes.ts";
import { chromeTraceProblems } from "./chrome-format.ts";
import { bug633Trace, HEAVY_FAULTS, shippedTrace } from "./runs.ts";

const runs = {
  "#633 fixture": bug633Trace(),
  "two-apps with faults": shippedTrace("two-apps", 22, HEAVY_FAULTS),
  "shutdown-sigquit with faults": shippedTrace("shutdown-sigquit", 16, HEAVY_FAULTS),
};

describe("Chrome trace JSON", () => {
  for (const [what, trace] of Object.entries(runs)) {
    it(`is valid trace-event JSON for the ${what}, with a named track per process and a flow per delivered datagram`, () => {
      const json = JSON.parse(renderChrome(trace)) as unknown;
      expect(chromeTraceProblems(json)).toEqual([]);
      const { traceEvents } = chromeTrace(trace);
      const names = traceEvents.flatMap((e) => (e.ph === "M" && e.name === "process_name" ? [[e.pid, e.args["name"]]] : []));
      expect(names).toEqual(processesOf(trace).map((p) => [p.pid, p.label]));
      // Every trace event once, in order, with its step.
      const drawn = traceEvents.filter((e) => e.ph === "i" || e.ph === "X");
      expect(drawn.map((e) => (e.args as { event: unknown }).event)).toEqual(trace);
      const delivered = pairMessages(trace).messages.filter((m) => m.delivery.kind === "delivered").length;
      expect(traceEvents.filter((e) => e.ph === "s")).toHaveLength(delivered);
      expect(traceEvents.filter((e) => e.ph === "f")).toHaveLength(delivered);
    });
  }

  it("keeps events of one ms in trace order: ts grows by at least 10 µs per event", () => {
    const ts = chromeTrace(runs["#633 fixture"]).traceEvents.flatMap((e) => (e.ph === "i" || e.ph === "X" ? [e.ts] : []));
    ts.slice(1).forEach((t, i) => expect(t - ts[i]!).toBeGreaterThanOrEqual(10));
  });

  it("the structural check finds broken traces (so it can fail)", () => {
    const good = chromeTrace(runs["#633 fixture"]);
    const without = (ph: string) => ({ ...good, traceEvents: good.traceEvents.filter((e) => e.ph !== ph) });
    expect(chromeTraceProblems(without("f")).join("\n")).toMatch(/flow \d+: 1 starts and 0 ends/);
    expect(chromeTraceProblems(without("M")).join("\n")).toMatch(/no process_name/);
    const reversed = { ...good, traceEvents: [...good.traceEvents].reverse() };
    expect(chromeTraceProblems(reversed).join("\n")).toMatch(/goes back on track/);
    const noTs = { traceEvents: good.traceEvents.map((e) => (e.ph === "i" ? { ...e, ts: undefined } : e)) };
    expect(chromeTraceProblems(noTs).join("\n")).toMatch(/\(i\): no "ts"/);
    expect(chromeTraceProblems([])).toEqual(['not an object with a "traceEvents" array']);
  });
});

// The text timeline: a header naming each column "type pid", one line per shown event with
// its step and time, the event written in its actor's column, crashes marked, and lines
// within 160 columns for the shipped scenarios.

import { describe, expect, it } from "vitest";

import { renderText } from "../../harness/pictures/text.ts";
import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { bug633Trace, HEAVY_FAULTS, shippedTrace } from "./runs.ts";

/** The columns of the header row: label -> the column where it starts. */
function headerColumns(header: string): Map<string, number> {
  return new Map([...header.matchAll(/(\S+ \d+|nxtsim)/g)].map((m) => [m[1]!, m.index!]));
}

describe("the text timeline of the #633 fixture", () => {
  const lines = renderText(bug633Trace()).trimEnd().split("\n");
  const columns = headerColumns(lines[0]!);
  // Every header's columns (a process that starts later takes an exited one's column).
  const allColumns = new Map(lines.filter((l) => /^ step {4}t\/ms/.test(l)).flatMap((l) => [...headerColumns(l)].reverse()).reverse());

  it("names a column per process in the header, in order of appearance", () => {
    expect(lines[0]).toMatch(/^ step {4}t\/ms/);
    expect([...columns.keys()]).toEqual(["nxtsim", "main 2", "discovery 3", "controller 4", "router 5", "proc 7"]);
  });

  it("writes each event in its actor's column, with step and time", () => {
    const at = (text: string) => {
      const line = lines.find((l) => l.includes(text));
      if (line === undefined) throw new Error(`no line with ${text}`);
      return { line, column: line.indexOf(text) };
    };
    const ready = at("send PROCESS_READY -> main 2");
    expect(ready.column).toBe(columns.get("discovery 3"));
    expect(ready.line).toMatch(/^ {4}4 {7}3 /);
    expect(at("recv PROCESS_READY <- discovery 3").column).toBe(columns.get("main 2"));
    expect(at("handshake whoami-sent").column).toBe(allColumns.get("prototype 6"));
    expect(at("reaps prototype 6 (killed by SIGSEGV)").column).toBe(columns.get("main 2"));
    expect(at("signal SIGCHLD (handler)").column).toBe(columns.get("main 2"));
    // Lanes: every process alive at a line shows "|" in its column.
    expect(ready.line.slice(columns.get("main 2"), columns.get("main 2")! + 1)).toBe("|");
  });

  it("marks the crash and the failed table insert loudly", () => {
    const loud = lines.filter((l) => / !! /.test(l));
    expect(loud).toHaveLength(2);
    expect(loud[0]).toContain("*** TABLE ADD FAILED: pid 2 (key taken) ***");
    expect(loud[1]).toContain("*** CRASH: assertion failed: port 0:0 cleanup: pair[1] == -1 ***");
  });

  it("reuses the column of an exited process, printing the header again", () => {
    const again = lines.filter((l) => /^ step {4}t\/ms > /.test(l));
    expect(again.length).toBeGreaterThan(0);
    expect(again[0]).toContain("router 5");
    expect(lines.at(-1)).toMatch(/^\(\d+ events, \d+ shown: plain syscalls and table bookkeeping are left out/);
  });
});

describe("width", () => {
  it("stays within 160 columns for every shipped scenario, faults or not", () => {
    for (const s of listScenarios()) {
      for (const faults of [{}, HEAVY_FAULTS]) {
        const text = renderText(shippedTrace(s.name, 7, faults));
        const widest = Math.max(...text.split("\n").map((l) => l.length));
        expect(widest, `${s.name} ${JSON.stringify(faults)}`).toBeLessThanOrEqual(160);
      }
    }
  });
});

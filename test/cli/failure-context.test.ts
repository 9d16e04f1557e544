// Failures easy to find in a run: replay prints the step of each violation and the events
// leading to it; trace --from/--to/--pid draws a window on the run.

import { describe, expect, it } from "vitest";
import { runMain } from "./helpers.ts";


const run = runMain;

const NOTIFY_TWICE = ["1", "--scenario", "shutdown-sigquit", "--mutant", "notify-twice"];

describe("replay shows where each check failed", () => {
  it("the notify-twice mutant: the step of each REMOVE_PID sent twice, and the two sends before it", async () => {
    const r = await run(["replay", ...NOTIFY_TWICE]);
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    const fails = lines.flatMap((l, i) => (l.startsWith("  FAIL  remove-pid-once: ") ? [i] : []));
    expect(fails.length).toBeGreaterThan(0);
    for (const i of fails) {
      const pid = /REMOVE_PID\(app (\d+)\)/.exec(lines[i]!)![1];
      expect(lines[i + 1]).toMatch(/^ {8}new: /);
      const at = /^ {8}at step (\d+); the events leading to it \(trace with the same arguments and --from (\d+) --to \1 draws them\):$/.exec(lines[i + 2]!);
      expect(at, lines[i + 2]).not.toBeNull();
      const lead = lines.slice(i + 3, i + 9);
      expect(lead.every((l) => /^ {10}step +\d+ {2}/.test(l)), lead.join("\n")).toBe(true);
      const steps = lead.map((l) => Number(/step +(\d+)/.exec(l)![1]));
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(steps.at(-1)!).toBeLessThanOrEqual(Number(at![1]));
      expect(steps[0]).toBe(Number(at![2]));
      // The mutant's doing, in plain sight: the app's REMOVE_PID sent to main twice.
      expect(lead.filter((l) => l.includes(`send REMOVE_PID ${pid} -> main`))).toHaveLength(2);
    }
  });

  it("a run that passes prints no context", async () => {
    const r = await run(["replay", "1", "--scenario", "shutdown-sigquit"]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/at step|the events leading/);
  });
});

describe("trace --from --to --pid draws a window", () => {
  const jsonl = async (extra: string[]) => {
    const r = await run(["trace", ...NOTIFY_TWICE, "--format", "jsonl", ...extra]);
    expect(r.code, r.err).toBe(0);
    return r.out.split("\n").filter((l) => l !== "");
  };

  it("jsonl: exactly the whole trace's lines in the steps asked, of the process asked", async () => {
    const all = (await jsonl([])).map((l) => ({ line: l, e: JSON.parse(l) as { step: number; pid: number; kind: string; child?: number } }));
    // A process that was reaped: its own events and its reaping by its parent.
    const pid = all.find((x) => x.e.kind === "reap")!.e.child!;
    expect(await jsonl(["--from", "40", "--to", "60"])).toEqual(all.filter((x) => x.e.step >= 40 && x.e.step <= 60).map((x) => x.line));
    const own = all.filter((x) => x.e.pid === pid || (x.e.kind === "reap" && x.e.child === pid));
    expect(own.filter((x) => x.e.pid === pid).length).toBeGreaterThan(0);
    expect(own.filter((x) => x.e.kind === "reap")).toHaveLength(1);
    expect(own.length).toBeLessThan(all.length);
    expect(await jsonl(["--pid", String(pid)])).toEqual(own.map((x) => x.line));
  });

  it("text: only rows of the window, the lanes of the whole run, and a footer that says so", async () => {
    const r = await run(["trace", ...NOTIFY_TWICE, "--from", "100", "--to", "120"]);
    expect(r.code).toBe(0);
    const rows = r.out.split("\n").filter((l) => /^ +\d+ +\d+ /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const step = Number(/^ +(\d+)/.exec(row)![1]);
      expect(step).toBeGreaterThanOrEqual(100);
      expect(step).toBeLessThanOrEqual(120);
    }
    expect(r.out).toMatch(/\(\d+ events, \d+ shown in the window \(steps 100 to 120\): /);
    expect(r.err).toMatch(/; window steps 100 to 120: \d+ events; checks: FAIL remove-pid-once/);
  });

  it.each([
    [["--from", "9", "--to", "3"], "nxtsim: error: --from 9 is after --to 3\n"],
    [["--from", "-1"], "nxtsim: error: --from must be a step number (0 or more), got \"-1\"\n"],
    [["--pid", "0"], "nxtsim: error: --pid must be a positive integer, got \"0\"\n"],
  ])("bad window %j: one line, exit 2", async (extra, line) => {
    expect(await run(["trace", ...NOTIFY_TWICE, ...extra])).toEqual({ code: 2, out: "", err: line });
  });
});

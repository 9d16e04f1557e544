import { describe, expect, it } from "vitest";
import { CHILDREN, PINGS, pingPong } from "./pingpong.ts";

describe("determinism", () => {
  it("gives a byte-identical trace for the same seed, over 200 seeds, and different schedules for different seeds", () => {
    const hashes = new Set<string>();
    const schedules = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const a = pingPong({ seed });
      const b = pingPong({ seed });
      const ra = a.run();
      const rb = b.run();
      expect(ra.reason).toBe("quiescent");
      expect(rb).toEqual(ra);
      expect(b.traceJsonl()).toBe(a.traceJsonl());
      expect(b.choices).toEqual(a.choices);
      // The program did its job under every schedule.
      const main = a.processes()[0]!;
      expect(main.status).toBe("running");
      expect(a.processes().filter((p) => p.status === "reaped")).toHaveLength(CHILDREN);
      expect(a.trace.filter((e) => e.kind === "recv" && e.pid === 100)).toHaveLength(CHILDREN * PINGS);
      hashes.add(a.traceHash());
      schedules.add(a.choices.join(","));
    }
    expect(schedules.size).toBeGreaterThan(150);
    expect(hashes.size).toBeGreaterThan(150);
  });

  it("reproduces the trace hash by replaying the recorded choices", () => {
    for (const seed of ["alpha", "beta", 7, 12345]) {
      const original = pingPong({ seed });
      original.run();
      const replay = pingPong({ seed: "unrelated", replay: original.choices });
      replay.run();
      expect(replay.traceHash()).toBe(original.traceHash());
      expect(replay.choices).toEqual(original.choices);
    }
  });

  it("formats the trace as one JSON object per line with the head fields first", () => {
    const sim = pingPong({ seed: 1 });
    sim.run();
    const lines = sim.traceJsonl().split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(sim.trace.length + 1);
    expect(lines[0]).toMatch(/^\{"step":0,"t":0,"pid":0,"nspid":0,"ptype":"","kind":"action"/);
    expect(sim.traceHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(lines[1]!)).toEqual(sim.trace[1]);
  });
});

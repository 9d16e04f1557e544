import { describe, expect, it } from "vitest";
import { Chooser, FAULT_YES, Prng } from "../../sim/index.ts";

describe("Prng", () => {
  it("is a pure function of the seed", () => {
    const a = new Prng("seed-1");
    const b = new Prng("seed-1");
    const c = new Prng("seed-2");
    const xs = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.nextU32())).not.toEqual(xs);
  });

  it("spreads below(n) over the whole range", () => {
    const rng = new Prng(42);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[rng.below(4)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });
});

describe("Chooser", () => {
  it("records every real choice and skips choices among one alternative", () => {
    const ch = new Chooser({ seed: 7 });
    expect(ch.choose(1, "only")).toBe(0);
    const v = ch.choose(5, "x");
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(5);
    expect(ch.choices).toEqual([v]);
  });

  it("replays recorded choices, clamps out-of-range values and pads with 0", () => {
    const ch = new Chooser({ seed: 7, replay: [2, 9, FAULT_YES, 40000, 20000] });
    expect(ch.choose(3, "a")).toBe(2);
    expect(ch.choose(4, "b")).toBe(1); // 9 % 4
    expect(ch.fault(0.01)).toBe(true); // a recorded fault is a fault at any rate
    expect(ch.fault(0.5)).toBe(true); // 40000 >= 32768
    expect(ch.fault(0.5)).toBe(false); // 20000 < 32768
    expect(ch.choose(6, "c")).toBe(0); // exhausted
    expect(ch.fault(0.99)).toBe(false); // exhausted: 0 is never a fault
    expect(ch.choices).toEqual([2, 1, FAULT_YES, FAULT_YES, 0, 0, 0]);
  });

  it("encodes faults as FAULT_YES (inject) / 0 (no fault) and draws nothing at rate 0", () => {
    const ch = new Chooser({ seed: 3 });
    expect(ch.fault(0)).toBe(false);
    expect(ch.choices).toEqual([]);
    const draws = Array.from({ length: 200 }, () => ch.fault(0.3));
    expect(ch.choices).toEqual(draws.map((d) => (d ? FAULT_YES : 0)));
    const hits = draws.filter(Boolean).length;
    expect(hits).toBeGreaterThan(30);
    expect(hits).toBeLessThan(100);
  });

  it("lets a policy decide scheduling choices", () => {
    const ch = new Chooser({ seed: 3, policy: { choose: (n) => n - 1 } });
    expect(ch.choose(4, "s")).toBe(3);
    expect(ch.choose(2, "s")).toBe(1);
  });
});

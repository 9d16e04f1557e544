// The litmus suite on the simulated kernel: the exhaustive search over every fault-free
// schedule gives EXACTLY the outcomes Linux allows (or, where the sim knowingly departs from
// Linux, exactly the set the departure names), and the old grain (a handler per step) misses
// the overtaking that a scheduling point between two sends lets happen.

import { describe, expect, test } from "vitest";

import { outcomeKey, type Litmus } from "./litmus.ts";
import { simOutcomes } from "./sim-outcomes.ts";
import { LITMUS } from "./suite.ts";
import { overtaking } from "./programs/messages.ts";

function keys(outcomes: readonly unknown[]): string[] {
  return outcomes.map((o) => outcomeKey(o as never)).sort();
}

function expectedOnSim(litmus: Litmus): string[] {
  return keys(litmus.departure?.sim ?? litmus.allowed.map((a) => a.outcome));
}

/** Small enough to search without state hashing and sleep sets (each well under the others' cost). */
const UNREDUCED = ["sigchld-coalescing", "clone-child-first", "scm-credentials-racing-reap", "kill-zombie"];

describe("litmus on the sim: exhaustive search gives exactly the allowed outcomes", () => {
  test("the suite has at least ten litmus tests, each outcome allowed once and with a reason", () => {
    expect(LITMUS.length).toBeGreaterThanOrEqual(10);
    for (const litmus of LITMUS) {
      const allowed = keys(litmus.allowed.map((a) => a.outcome));
      expect(new Set(allowed).size, litmus.name).toBe(allowed.length);
      for (const a of litmus.allowed) expect(a.why.length, `${litmus.name} ${outcomeKey(a.outcome)}`).toBeGreaterThan(10);
    }
  });

  for (const litmus of LITMUS) {
    const what = litmus.departure === undefined ? "exactly the allowed set" : "the allowed set but for its known departure";
    test(`${litmus.name}: ${what}`, () => {
      const found = simOutcomes(litmus);
      expect(found.complete).toBe(true);
      expect(found.ends, "every run ends quiescent (no step bound, no model error)").toEqual({ quiescent: expect.any(Number) });
      expect([...found.outcomes.keys()].sort()).toEqual(expectedOnSim(litmus));
    });
  }

  for (const name of UNREDUCED) {
    test(`${name}: state hashing and sleep sets lose no outcome`, () => {
      const litmus = LITMUS.find((l) => l.name === name)!;
      const reduced = simOutcomes(litmus);
      const full = simOutcomes(litmus, { hashing: false, por: false });
      expect(full.complete).toBe(true);
      expect(full.stats.runs).toBeGreaterThanOrEqual(reduced.stats.runs);
      expect([...full.outcomes.keys()].sort()).toEqual([...reduced.outcomes.keys()].sort());
    });
  }
});

describe("the old grain (atomicHandlers: a handler per step)", () => {
  test("misses the overtaking: A's two sends are one step, so B can never send between them", () => {
    const old = simOutcomes(overtaking, { atomicHandlers: true });
    expect(old.complete).toBe(true);
    expect([...old.outcomes.values()]).toEqual([["a", "b", "EOF"]]);
    const now = simOutcomes(overtaking);
    expect([...now.outcomes.keys()]).toContain(outcomeKey(["b", "a", "EOF"]));
  });
});

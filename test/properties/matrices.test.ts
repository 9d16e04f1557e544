// Static invariants of the three matrices (nxt_process.c), each shown failing on a mutated
// matrix so the predicate is known to bite.

import { describe, expect, it } from "vitest";
import { nxtProcKeepMatrix, nxtProcRemoveNotifyMatrix, nxtProcSendMatrix } from "../../lifecycle/matrices.ts";

type M = readonly (readonly (0 | 1)[])[];
const MAIN = 0, DISCOVERY = 1, CONTROLLER = 2, ROUTER = 3, PROTOTYPE = 4, APP = 5;
const ALL = [MAIN, DISCOVERY, CONTROLLER, ROUTER, PROTOTYPE, APP];

/** Every claim: true when it holds for (keep, send, notify). */
const CLAIMS: Record<string, (keep: M, send: M, notify: M) => boolean> = {
  "6x6 of 0/1": (k, s, n) => [k, s, n].every((m) => m.length === 6 && m.every((r) => r.length === 6 && r.every((x) => x === 0 || x === 1))),
  "every child keeps main's port (column MAIN of keep)": (k) => ALL.every((t) => k[t]![MAIN] === 1),
  "everyone may be sent main's port (column MAIN of send)": (_k, s) => ALL.every((t) => s[t]![MAIN] === 1),
  "main is sent every new port (row MAIN of send)": (_k, s) => ALL.every((t) => s[MAIN]![t] === 1),
  "send within keep for children: a child is never sent what it would not keep": (k, s) =>
    [DISCOVERY, CONTROLLER, ROUTER, PROTOTYPE, APP].every((r) => ALL.every((t) => s[r]![t] === 0 || k[r]![t] === 1)),
  "no keeping of same-type siblings (discovery, controller, prototype, app)": (k) => [DISCOVERY, CONTROLLER, PROTOTYPE, APP].every((t) => k[t]![t] === 0),
  "discovery keeps only main": (k) => ALL.every((t) => k[DISCOVERY]![t] === (t === MAIN ? 1 : 0)),
  "nobody hears of main's or discovery's death": (_k, _s, n) => ALL.every((r) => n[MAIN]![r] === 0 && n[DISCOVERY]![r] === 0),
  "a death is told only to processes that can know the dead one (keep or send)": (k, s, n) =>
    ALL.every((d) => ALL.every((r) => n[d]![r] === 0 || k[r]![d] === 1 || s[r]![d] === 1)),
  "prototypes and apps are sent only main's port (a restarted router is not pushed to them)": (_k, s) =>
    [PROTOTYPE, APP].every((r) => ALL.every((t) => s[r]![t] === (t === MAIN ? 1 : 0))),
};

function flip(m: M, row: number, col: number): M {
  return m.map((r, i) => r.map((x, j) => (i === row && j === col ? ((1 - x) as 0 | 1) : x)));
}

describe("matrix invariants", () => {
  it.each(Object.keys(CLAIMS))("%s", (name) => {
    expect(CLAIMS[name]!(nxtProcKeepMatrix, nxtProcSendMatrix, nxtProcRemoveNotifyMatrix)).toBe(true);
  });

  // Each claim must reject some single-cell mutation of the matrices.
  it.each(Object.keys(CLAIMS).filter((n) => n !== "6x6 of 0/1"))("%s rejects a mutated matrix", (name) => {
    const claim = CLAIMS[name]!;
    let rejected = 0;
    for (const which of [0, 1, 2] as const) {
      for (const i of ALL) {
        for (const j of ALL) {
          const m = [nxtProcKeepMatrix, nxtProcSendMatrix, nxtProcRemoveNotifyMatrix];
          m[which] = flip(m[which]!, i, j);
          if (!claim(m[0]!, m[1]!, m[2]!)) rejected++;
        }
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

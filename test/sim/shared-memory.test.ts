import { describe, expect, it } from "vitest";
import { CLONE_NEWPID } from "../../lifecycle/kernel.ts";
import { cont, now, push, toySim } from "./toy.ts";

describe("MAP_SHARED counters", () => {
  it("are shared with every later clone but not with earlier or unrelated processes", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        now(k.clone(0, s, cont("early")));
        s.h = k.mmapSharedCounter(10);
        push(s, "got", now(k.sharedFetchAdd(s.h, 1)));
        now(k.clone(CLONE_NEWPID, s, cont("late")));
      },
      early: (k, s) => {
        // The counter did not exist when this process was forked: using it is a segfault.
        now(k.sharedFetchAdd(1, 1));
        push(s, "unreachable", true);
      },
      late: (k, s) => push(s, "got", now(k.sharedFetchAdd(s.h as number, 5))),
      again: (k, s) => push(s, "got", now(k.sharedFetchAdd(s.h as number, 1))),
    });
    sim.run();
    sim.post(main, cont("again"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ got: [10, 16] });
    expect(sim.stateOf(102)).toMatchObject({ got: [10, 11] }); // the first entry came with the fork
    expect(sim.processes().find((p) => p.pid === 101)?.exit).toEqual({ status: null, signal: 6 });
    expect(sim.pidAsSeenBy(102, main)).toBe(102);
    expect(sim.pidAsSeenBy(main, 102)).toBe(0);
    expect(sim.pidAsSeenBy(102, 102)).toBe(1);
  });
});

// The virtual clock fires timers in order of due time, then of creation (the order
// @sinonjs/fake-timers gave, which recorded traces depend on), and reads each timer's time
// while it fires.

import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../sim/clock.ts";

function recorder(clock: VirtualClock) {
  const fired: string[] = [];
  const at = (name: string, delay: number) => clock.schedule(delay, () => fired.push(`${name}@${clock.now()}`));
  return { fired, at };
}

describe("VirtualClock", () => {
  it("fires by due time, then creation order, and stands at the target after advance", () => {
    const clock = new VirtualClock();
    const { fired, at } = recorder(clock);
    at("c", 5);
    at("a", 2);
    at("d", 5);
    at("b", 2);
    clock.advance(4);
    expect(fired).toEqual(["a@2", "b@2"]);
    expect(clock.now()).toBe(4);
    clock.advance(1);
    expect(fired).toEqual(["a@2", "b@2", "c@5", "d@5"]);
    expect(clock.hasPending()).toBe(false);
  });

  it("fireDue fires only what is due now; jumpToNext moves to the next timer and fires all due then", () => {
    const clock = new VirtualClock();
    const { fired, at } = recorder(clock);
    at("now", 0);
    at("later1", 10);
    at("later2", 10);
    at("last", 20);
    clock.fireDue();
    expect(fired).toEqual(["now@0"]);
    expect(clock.jumpToNext()).toBe(true);
    expect(fired).toEqual(["now@0", "later1@10", "later2@10"]);
    expect(clock.now()).toBe(10);
    expect(clock.jumpToNext()).toBe(true);
    expect(clock.now()).toBe(20);
    expect(clock.jumpToNext()).toBe(false);
  });

  it("a cancelled timer never fires; delays are floored, negative ones are 0, huge ones 1 ms", () => {
    const clock = new VirtualClock();
    const { fired, at } = recorder(clock);
    const gone = at("gone", 1);
    at("floored", 1.9);
    at("negative", -5);
    at("huge", 2 ** 31);
    clock.cancel(gone);
    clock.cancel(12345); // unknown ids are ignored
    clock.advance(1);
    expect(fired).toEqual(["negative@0", "floored@1", "huge@1"]);
  });

  it("a clock given back after a run is reused as new: the next run fires the same timers at the same times", () => {
    const script = (clock: VirtualClock) => {
      const { fired, at } = recorder(clock);
      at("x", 3);
      at("y", 1);
      clock.advance(2);
      at("z", 0);
      clock.advance(5);
      at("late", 4); // set after release-time would have been: reacquires a clock mid-run
      clock.advance(10);
      return fired;
    };
    const first = new VirtualClock();
    const expected = script(first);
    expect(expected).toEqual(["y@1", "z@2", "x@3", "late@11"]);
    first.release();
    const second = new VirtualClock();
    expect(script(second)).toEqual(expected);
    // Given back in the middle of a run (nothing pending), then a new timer: same times.
    const third = new VirtualClock();
    const { fired, at } = recorder(third);
    third.advance(7);
    third.release();
    at("after", 2);
    third.advance(2);
    expect(fired).toEqual(["after@9"]);
  });

  it("release with a timer pending keeps the clock: the timer still fires", () => {
    const clock = new VirtualClock();
    const { fired, at } = recorder(clock);
    at("kept", 5);
    clock.release();
    const other = new VirtualClock(); // would get the clock if it had been given back
    recorder(other).at("other", 1);
    other.advance(10);
    clock.advance(5);
    expect(fired).toEqual(["kept@5"]);
  });
});

// The run's virtual clock: @sinonjs/fake-timers' private clock (it patches no globals).
// Timers only mark work as due; the scheduler decides when due work runs, so a timer
// callback here never runs model code. The run's time moves every step; the fake clock is
// moved only when a timer falls due (a tick per step cost more than the rest of the clock),
// firing exactly the timers, in exactly the order and at exactly the times, that a tick per
// step would.

import { createClock } from "@sinonjs/fake-timers";

type FakeClock = ReturnType<typeof createClock>;

/**
 * Fake clocks of finished runs, reset for the next: createClock builds a Date class and
 * dozens of closures, 3% of a run. A reset clock is a new one (no timers, time 0, and timer
 * ids are fake-timers' global counter either way), so reuse cannot change a run.
 */
const spareClocks: FakeClock[] = [];
const MAX_SPARE_CLOCKS = 4;

function takeClock(): FakeClock {
  const spare = spareClocks.pop();
  if (spare === undefined) return createClock(0, 1_000_000);
  spare.reset();
  return spare;
}

/** What a timer does when it falls due, as data (sim/due.ts): a forked clock copies it. */
export interface TimerDue {
  fire(id: number): void;
}

export class VirtualClock {
  /** Taken at the first timer, given back by release() once none is pending. */
  private clock: FakeClock | null = null;
  /** Our own timer ids (fake-timers returns objects in Node), in creation order. */
  private readonly pending = new Map<number, ReturnType<FakeClock["setTimeout"]>>();
  /** When each pending timer is due (the exhaustive search digests "due in N ms"). */
  private readonly dueAt = new Map<number, number>();
  /** What each pending timer does when it falls due. */
  private readonly onDue = new Map<number, TimerDue | (() => void)>();
  private nextId = 1;
  /** The run's time; the fake clock lags behind it while no timer is due. */
  private time = 0;
  /** Inside a tick a firing timer sees its own due time, as fake-timers gives it. */
  private ticking = false;
  /** min(dueAt), or null when it must be found again (asked every step, changed seldom). */
  private earliest: number | null = Infinity;

  now(): number {
    return this.ticking ? this.clock!.now : this.time;
  }

  /**
   * Fires `onDue` once the clock reaches now + delayMs; returns the timer id. A closure
   * cannot be copied: a clock that holds one pending cannot be forked.
   */
  schedule(delayMs: number, onDue: TimerDue | (() => void)): number {
    const delay = Math.max(0, Math.floor(delayMs));
    const id = this.nextId++;
    const at = this.now() + delay;
    this.setFakeTimer(id, at);
    this.dueAt.set(id, at);
    this.onDue.set(id, onDue);
    if (this.earliest !== null && at < this.earliest) this.earliest = at;
    return id;
  }

  private setFakeTimer(id: number, at: number): void {
    const clock = (this.clock ??= takeClock());
    const timer = clock.setTimeout(() => {
      const onDue = this.onDue.get(id)!;
      this.pending.delete(id);
      this.dueAt.delete(id);
      this.onDue.delete(id);
      this.earliest = null;
      if (typeof onDue === "function") onDue();
      else onDue.fire(id);
    }, at - clock.now);
    this.pending.set(id, timer);
  }

  cancel(id: number): void {
    const timer = this.pending.get(id);
    if (timer === undefined) return;
    this.pending.delete(id);
    this.dueAt.delete(id);
    this.onDue.delete(id);
    this.earliest = null;
    this.clock!.clearTimeout(timer);
  }

  /** Whether fork() can copy every pending timer (none fires a closure). */
  forkable(): boolean {
    for (const onDue of this.onDue.values()) if (typeof onDue === "function") return false;
    return !this.ticking;
  }

  /**
   * A copy of this clock (between steps: not inside a tick) whose pending timers fire
   * `copyDue` of their TimerDue: the same times, ids and firing order. fake-timers fires
   * timers due at the same time in the order they were set, so they are set again in
   * creation order, on a fake clock standing where this one stands.
   */
  fork(copyDue: (due: TimerDue) => TimerDue): VirtualClock {
    if (this.ticking) throw new Error("clock fork inside a tick");
    const copy = new VirtualClock();
    copy.nextId = this.nextId;
    copy.time = this.time;
    copy.earliest = this.earliest;
    if (this.clock !== null) {
      const fake = (copy.clock = takeClock());
      fake.tick(this.clock.now);
    }
    for (const [id, at] of this.dueAt) {
      const onDue = this.onDue.get(id)!;
      if (typeof onDue === "function") throw new Error(`clock fork: timer ${id} fires a closure, which cannot be copied`);
      copy.setFakeTimer(id, at);
      copy.dueAt.set(id, at);
      copy.onDue.set(id, copyDue(onDue));
    }
    return copy;
  }

  /** How long until each pending timer is due, in creation order. */
  dueIn(): number[] {
    const now = this.now();
    return [...this.dueAt.values()].map((at) => at - now);
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Fires every timer due at the current time. */
  fireDue(): void {
    if (this.earliestDue() <= this.time) this.catchUp();
  }

  /** Advances by ms, firing what falls due on the way. */
  advance(ms: number): void {
    this.time += ms;
    this.fireDue();
  }

  /** Jumps to the next timer (when nothing else can run) and fires everything due then. */
  jumpToNext(): boolean {
    if (this.pending.size === 0) return false;
    this.time = Math.max(this.time, this.earliestDue());
    this.catchUp();
    return true;
  }

  private earliestDue(): number {
    if (this.earliest !== null) return this.earliest;
    let min = Infinity;
    for (const at of this.dueAt.values()) if (at < min) min = at;
    this.earliest = min;
    return min;
  }

  /** Hands the fake clock back for another run's use, when no timer is pending (a run ended). */
  release(): void {
    if (this.clock === null || this.pending.size > 0 || this.ticking) return;
    if (spareClocks.length < MAX_SPARE_CLOCKS) spareClocks.push(this.clock);
    this.clock = null;
  }

  /** Moves the fake clock to the run's time, firing every timer due by then in its order. */
  private catchUp(): void {
    const clock = this.clock;
    if (clock === null) return; // no timer was ever set (or all were given back): nothing to fire
    this.ticking = true;
    try {
      clock.tick(this.time - clock.now);
    } finally {
      this.ticking = false;
    }
  }
}

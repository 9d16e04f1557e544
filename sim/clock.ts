// The run's virtual clock: @sinonjs/fake-timers' private clock (it patches no globals).
// Timers only mark work as due; the scheduler decides when due work runs, so a timer
// callback here never runs model code. The run's time moves every step; the fake clock is
// moved only when a timer falls due (a tick per step cost more than the rest of the clock),
// firing exactly the timers, in exactly the order and at exactly the times, that a tick per
// step would.

import { createClock } from "@sinonjs/fake-timers";

type FakeClock = ReturnType<typeof createClock>;

export class VirtualClock {
  private readonly clock: FakeClock = createClock(0, 1_000_000);
  /** Our own timer ids (fake-timers returns objects in Node), in creation order. */
  private readonly pending = new Map<number, ReturnType<FakeClock["setTimeout"]>>();
  /** When each pending timer is due (the exhaustive search digests "due in N ms"). */
  private readonly dueAt = new Map<number, number>();
  private nextId = 1;
  /** The run's time; the fake clock lags behind it while no timer is due. */
  private time = 0;
  /** Inside a tick a firing timer sees its own due time, as fake-timers gives it. */
  private ticking = false;

  now(): number {
    return this.ticking ? this.clock.now : this.time;
  }

  /** Calls `onDue` once the clock reaches now + delayMs; returns the timer id. */
  schedule(delayMs: number, onDue: () => void): number {
    const delay = Math.max(0, Math.floor(delayMs));
    const id = this.nextId++;
    const at = this.now() + delay;
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(id);
      this.dueAt.delete(id);
      onDue();
    }, at - this.clock.now);
    this.pending.set(id, timer);
    this.dueAt.set(id, at);
    return id;
  }

  cancel(id: number): void {
    const timer = this.pending.get(id);
    if (timer === undefined) return;
    this.pending.delete(id);
    this.dueAt.delete(id);
    this.clock.clearTimeout(timer);
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
    let min = Infinity;
    for (const at of this.dueAt.values()) if (at < min) min = at;
    return min;
  }

  /** Moves the fake clock to the run's time, firing every timer due by then in its order. */
  private catchUp(): void {
    this.ticking = true;
    try {
      this.clock.tick(this.time - this.clock.now);
    } finally {
      this.ticking = false;
    }
  }
}

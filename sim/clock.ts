// The run's virtual clock: @sinonjs/fake-timers' private clock (it patches no globals).
// Timers only mark work as due; the scheduler decides when due work runs, so a timer
// callback here never runs model code.

import { createClock } from "@sinonjs/fake-timers";

type FakeClock = ReturnType<typeof createClock>;

export class VirtualClock {
  private readonly clock: FakeClock = createClock(0, 1_000_000);
  /** Our own timer ids (fake-timers returns objects in Node), in creation order. */
  private readonly pending = new Map<number, ReturnType<FakeClock["setTimeout"]>>();
  /** When each pending timer is due (the exhaustive search digests "due in N ms"). */
  private readonly dueAt = new Map<number, number>();
  private nextId = 1;

  now(): number {
    return this.clock.now;
  }

  /** Calls `onDue` once the clock reaches now + delayMs; returns the timer id. */
  schedule(delayMs: number, onDue: () => void): number {
    const delay = Math.max(0, Math.floor(delayMs));
    const id = this.nextId++;
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(id);
      this.dueAt.delete(id);
      onDue();
    }, delay);
    this.pending.set(id, timer);
    this.dueAt.set(id, this.clock.now + delay);
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
    return [...this.dueAt.values()].map((at) => at - this.clock.now);
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Fires every timer due at the current time. */
  fireDue(): void {
    this.clock.tick(0);
  }

  /** Advances by ms, firing what falls due on the way. */
  advance(ms: number): void {
    this.clock.tick(ms);
  }

  /** Jumps to the next timer (when nothing else can run) and fires everything due then. */
  jumpToNext(): boolean {
    if (this.pending.size === 0) return false;
    this.clock.next();
    this.clock.tick(0);
    return true;
  }
}

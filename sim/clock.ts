// The run's virtual clock: integer milliseconds and one-shot timers. Timers only mark work
// as due; the scheduler decides when due work runs, so a timer callback never runs model
// code (and never reads the clock or sets a timer).
//
// Timers fire in order of due time, then of creation, which is the order
// @sinonjs/fake-timers (the clock's first implementation) gives; a delay is floored, a
// negative one counts as 0 and one over 2^31-1 ms as 1 ms, as it does there (and in Node).
// Written out because the library's general tick machinery was a tenth of a run's CPU.

/** Node's (and fake-timers') largest timer delay. */
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Timer {
  readonly id: number;
  readonly dueAt: number;
  readonly onDue: () => void;
}

export class VirtualClock {
  private nowMs = 0;
  private nextId = 1;
  /** Pending timers sorted by (dueAt, id); ids grow with creation. */
  private readonly timers: Timer[] = [];

  now(): number {
    return this.nowMs;
  }

  /** Calls `onDue` once the clock reaches now + delayMs; returns the timer id. */
  schedule(delayMs: number, onDue: () => void): number {
    const floored = Math.max(0, Math.floor(delayMs));
    const timer: Timer = { id: this.nextId++, dueAt: this.nowMs + (floored > MAX_DELAY_MS ? 1 : floored), onDue };
    // The newest timer goes after every timer due at the same time or earlier.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.dueAt > timer.dueAt) i--;
    this.timers.splice(i, 0, timer);
    return timer.id;
  }

  cancel(id: number): void {
    const i = this.timers.findIndex((t) => t.id === id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  hasPending(): boolean {
    return this.timers.length > 0;
  }

  /** Fires every timer due at the current time. */
  fireDue(): void {
    this.fireUntil(this.nowMs);
  }

  /** Advances by ms, firing what falls due on the way. */
  advance(ms: number): void {
    this.fireUntil(this.nowMs + ms);
  }

  /** Jumps to the next timer (when nothing else can run) and fires everything due then. */
  jumpToNext(): boolean {
    const first = this.timers[0];
    if (first === undefined) return false;
    this.fireUntil(Math.max(this.nowMs, first.dueAt));
    return true;
  }

  /** Fires the timers due by `until` in order, the clock reading each one's time, then stands at `until`. */
  private fireUntil(until: number): void {
    while (this.timers.length > 0 && this.timers[0]!.dueAt <= until) {
      const timer = this.timers.shift()!;
      this.nowMs = Math.max(this.nowMs, timer.dueAt);
      timer.onDue();
    }
    this.nowMs = until;
  }
}

// The practical upper bound for a discrete-event simulator in JavaScript: a plain seeded
// event loop over a binary heap of (time, sequence) keys. Each event pops the earliest
// entry, draws a delay from a seeded generator and schedules the actor's next event. No
// model, no trace: only what every event loop must do.

import { splitmix32 } from "../harness/explore-seeds.ts";

/** A min-heap of events keyed by (time, seq), stored in parallel typed arrays. */
class EventHeap {
  private time: Float64Array;
  private seq: Float64Array;
  private actor: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.actor = new Int32Array(capacity);
  }

  private less(i: number, j: number): boolean {
    return this.time[i]! < this.time[j]! || (this.time[i] === this.time[j] && this.seq[i]! < this.seq[j]!);
  }

  private swap(i: number, j: number): void {
    const t = this.time[i]!, s = this.seq[i]!, a = this.actor[i]!;
    this.time[i] = this.time[j]!;
    this.seq[i] = this.seq[j]!;
    this.actor[i] = this.actor[j]!;
    this.time[j] = t;
    this.seq[j] = s;
    this.actor[j] = a;
  }

  push(time: number, seq: number, actor: number): void {
    let i = this.size++;
    this.time[i] = time;
    this.seq[i] = seq;
    this.actor[i] = actor;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest event; returns its actor (its time is left in `lastTime`). */
  pop(): number {
    const actor = this.actor[0]!;
    this.lastTime = this.time[0]!;
    const last = --this.size;
    this.time[0] = this.time[last]!;
    this.seq[0] = this.seq[last]!;
    this.actor[0] = this.actor[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return actor;
  }

  lastTime = 0;
}

export interface HeapLoopResult {
  events: number;
  /** A digest of the order events ran in, so the work cannot be optimised away. */
  digest: number;
}

/** Runs `events` events over `actors` actors, each event scheduling its actor's next one. */
export function runHeapLoop(seed: number, events: number, actors = 8): HeapLoopResult {
  const next = splitmix32(seed);
  const heap = new EventHeap(actors + 1);
  let seq = 0;
  for (let a = 0; a < actors; a++) heap.push(next() % 16, seq++, a);
  let digest = 0;
  for (let n = 0; n < events; n++) {
    const actor = heap.pop();
    digest = (Math.imul(digest, 31) + actor) | 0;
    heap.push(heap.lastTime + 1 + (next() % 16), seq++, actor);
  }
  return { events, digest };
}

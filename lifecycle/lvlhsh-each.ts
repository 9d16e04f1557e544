// nxt_lvlhsh_each and nxt_runtime_process_each: walks of a level hash (lvlhsh.ts) in the
// order Unit's take, including a walk whose body changes the table.

import { levelMask, protoOf, type Lvlhsh, type LvlhshBucket, type LvlhshEntry, type LvlhshLevel, type LvlhshNode } from "./lvlhsh.ts";

/** nxt_lvlhsh_each over an unchanging table: slots in index order, depth first, then chain and position order. */
export function lvlhshEach(lh: Lvlhsh): number[] {
  return lvlhshEntries(lh).map((e) => e.value);
}

/** The entries (key, hash, value) in the order lvlhshEach visits their values. */
export function lvlhshEntries(lh: Lvlhsh): LvlhshEntry[] {
  const out: LvlhshEntry[] = [];
  if (lh.root !== null) {
    collect(lh.root, out);
  }
  return out;
}

function collect(node: LvlhshNode, out: LvlhshEntry[]): void {
  if (node.kind === "level") {
    for (const slot of node.slots) {
      if (slot !== null) {
        collect(slot, out);
      }
    }
    return;
  }
  for (let b: LvlhshBucket | null = node; b !== null; b = b.next) {
    for (let pos = 0, seen = 0; seen < b.count && pos < b.entries.length; pos++) {
      const e = b.entries[pos] ?? null;
      if (e !== null) {
        out.push(e);
        seen++;
      }
    }
  }
}

/**
 * nxt_lvlhsh_each_t: the position of a walk in progress, kept as Unit keeps it (the current
 * bucket, the slot path as key bits, the next position, the entries still to visit), so a
 * walk sees what Unit's sees when the table changes between steps. Transient: it points
 * into the table and must not outlive the walk.
 */
export interface LvlhshEachState {
  bucket: LvlhshBucket | null | "done";
  current: number;
  entry: number;
  entries: number;
}

/** nxt_lvlhsh_each_init. */
export function lvlhshEachInit(): LvlhshEachState {
  return { bucket: null, current: 0, entry: 0, entries: 0 };
}

/**
 * nxt_lvlhsh_each: the next value, or undefined at the end. Throws where Unit would read
 * freed or foreign memory (the walk's bucket freed, or its unvisited entries deleted).
 */
export function lvlhshEachNext(lh: Lvlhsh, it: LvlhshEachState): number | undefined {
  const root = lh.root;
  if (it.bucket === "done") {
    if (root === null) {
      throw new Error("nxt_lvlhsh_each: table emptied mid-walk; Unit would dereference NULL");
    }
    if (root.kind === "bucket") {
      return undefined;
    }
    return levelEach(lh, it, root, 0, 0);
  }
  if (it.bucket === null) {
    if (root === null) {
      return undefined;
    }
    if (root.kind === "level") {
      it.current = 0;
      return levelEach(lh, it, root, 0, 0);
    }
    it.bucket = root;
    it.entries = root.count;
    it.entry = 0;
  }
  return bucketEach(lh, it, it.bucket);
}

/** nxt_lvlhsh_level_each: resumes at the slot path in it.current, skipping a finished bucket. */
function levelEach(lh: Lvlhsh, it: LvlhshEachState, level: LvlhshLevel, nlvl: number, shift: number): number | undefined {
  const mask = levelMask(lh, nlvl);
  let n: number;
  do {
    n = (it.current >>> shift) & mask;
    const slot = level.slots[n] ?? null;
    if (slot !== null) {
      if (slot.kind === "bucket") {
        if (it.bucket !== "done") {
          it.bucket = slot;
          it.entries = slot.count;
          it.entry = 0;
          return bucketEach(lh, it, slot);
        }
        it.bucket = null;
      } else {
        const value = levelEach(lh, it, slot, nlvl + 1, shift + (protoOf(lh).shift[nlvl] ?? 0));
        if (value !== undefined) {
          return value;
        }
      }
    }
    it.current &= ~(mask << shift);
    n = ((n + 1) & mask) << shift;
    it.current |= n;
  } while (n !== 0);
  return undefined;
}

/** nxt_lvlhsh_bucket_each: the next valid position; at the bucket's last, on to the chain. */
function bucketEach(lh: Lvlhsh, it: LvlhshEachState, bucket: LvlhshBucket): number {
  if (bucket.count === 0) {
    throw new Error("nxt_lvlhsh_each: the walk's bucket was freed; Unit would read freed memory");
  }
  let e: LvlhshEntry | null = null;
  while (e === null) {
    if (it.entry >= protoOf(lh).bucketEntries) {
      throw new Error("nxt_lvlhsh_each: unvisited entries were deleted; Unit would read past the bucket");
    }
    e = bucket.entries[it.entry] ?? null;
    it.entry++;
  }
  it.entries--;
  if (it.entries === 0) {
    const next = bucket.next;
    it.bucket = next === null ? "done" : next;
    it.entries = next === null ? 0 : next.count;
    it.entry = 0;
  }
  return e.value;
}

/**
 * nxt_runtime_process_each: fetches the next value BEFORE running the body on the current
 * one, so the body may delete the current entry, as Unit's callers do.
 */
export function lvlhshWalk(lh: Lvlhsh, body: (value: number) => void): void {
  const it = lvlhshEachInit();
  let value = lvlhshEachNext(lh, it);
  while (value !== undefined) {
    const next = lvlhshEachNext(lh, it);
    body(value);
    value = next;
  }
}

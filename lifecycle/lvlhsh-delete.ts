// nxt_lvlhsh_delete, nxt_lvlhsh_peek and nxt_lvlhsh_retrieve on the level hash of lvlhsh.ts:
// taking entries out leaves holes in buckets, frees an emptied bucket, and clears the slot
// of an emptied level (levels never turn back into buckets).

import {
  entryMatches,
  freeBucket,
  getSlot,
  levelMask,
  protoOf,
  setSlot,
  type Lvlhsh,
  type LvlhshBucket,
  type LvlhshKey,
  type LvlhshLevel,
  type LvlhshMatch,
} from "./lvlhsh.ts";

// ---- delete -----------------------------------------------------------------------------

/**
 * nxt_lvlhsh_delete: removes the first entry that passes the test and returns its value.
 * Its position becomes a hole (nothing moves), or its bucket goes when it was the last.
 */
export function lvlhshDelete(lh: Lvlhsh, hash: number, key: LvlhshKey, matches?: LvlhshMatch): number | undefined {
  const root = lh.root;
  if (root === null) {
    return undefined;
  }
  if (root.kind === "bucket") {
    return bucketDelete(lh, null, 0, hash >>> 0, key, matches);
  }
  const value = levelDelete(lh, root, hash >>> 0, 0, hash >>> 0, key, matches);
  if (root.count === 0) {
    lh.root = null;
  }
  return value;
}

/** nxt_lvlhsh_level_delete; the caller clears its slot when `level` ends up empty. */
function levelDelete(
  lh: Lvlhsh,
  level: LvlhshLevel,
  bits: number,
  nlvl: number,
  hash: number,
  key: LvlhshKey,
  matches: LvlhshMatch | undefined,
): number | undefined {
  const index = bits & levelMask(lh, nlvl);
  const slot = level.slots[index] ?? null;
  if (slot === null) {
    return undefined;
  }
  let value: number | undefined;
  if (slot.kind === "bucket") {
    value = bucketDelete(lh, level, index, hash, key, matches);
  } else {
    value = levelDelete(lh, slot, bits >>> (protoOf(lh).shift[nlvl] ?? 0), nlvl + 1, hash, key, matches);
    if (slot.count === 0) {
      level.slots[index] = null;
    }
  }
  if (level.slots[index] === null) {
    level.count--;
  }
  return value;
}

/** nxt_lvlhsh_bucket_delete on the chain in holder's slot `index`. */
function bucketDelete(
  lh: Lvlhsh,
  holder: LvlhshLevel | null,
  index: number,
  hash: number,
  key: LvlhshKey,
  matches: LvlhshMatch | undefined,
): number | undefined {
  let prev: LvlhshBucket | null = null;
  for (let b = getSlot(lh, holder, index) as LvlhshBucket | null; b !== null; prev = b, b = b.next) {
    for (let pos = 0, seen = 0; seen < b.count && pos < b.entries.length; pos++) {
      const e = b.entries[pos] ?? null;
      if (e === null) {
        continue;
      }
      if (entryMatches(lh, e, hash, key, matches)) {
        removeEntry(lh, holder, index, prev, b, pos);
        return e.value;
      }
      seen++;
    }
  }
  return undefined;
}

/** Frees the bucket when this was its last entry (unlinking it), else leaves a hole. */
function removeEntry(
  lh: Lvlhsh,
  holder: LvlhshLevel | null,
  index: number,
  prev: LvlhshBucket | null,
  bucket: LvlhshBucket,
  pos: number,
): void {
  if (bucket.count === 1) {
    if (prev === null) {
      setSlot(lh, holder, index, bucket.next);
    } else {
      prev.next = bucket.next;
    }
    freeBucket(bucket);
  } else {
    bucket.count--;
    bucket.entries[pos] = null;
  }
}

// ---- peek and retrieve ------------------------------------------------------------------

/** nxt_lvlhsh_peek: the first value in structure order (lowest slots, first valid position). */
export function lvlhshPeek(lh: Lvlhsh): number | undefined {
  let node = lh.root;
  while (node !== null && node.kind === "level") {
    node = node.slots.find((slot) => slot !== null) ?? null;
  }
  return node === null ? undefined : node.entries.find((e) => e !== null)?.value;
}

/** nxt_lvlhsh_retrieve: removes and returns the value lvlhshPeek would return. */
export function lvlhshRetrieve(lh: Lvlhsh): number | undefined {
  return retrieveFrom(lh, null, 0);
}

/** nxt_lvlhsh_level_peek / bucket_peek with retrieve = 1, on holder's slot `index`. */
function retrieveFrom(lh: Lvlhsh, holder: LvlhshLevel | null, index: number): number | undefined {
  const node = getSlot(lh, holder, index);
  if (node === null) {
    return undefined;
  }
  if (node.kind === "bucket") {
    const pos = node.entries.findIndex((e) => e !== null);
    const value = node.entries[pos]?.value;
    removeEntry(lh, holder, index, null, node, pos);
    return value;
  }
  const first = node.slots.findIndex((slot) => slot !== null);
  const value = retrieveFrom(lh, node, first);
  if (node.slots[first] === null) {
    node.count--;
    if (node.count === 0) {
      setSlot(lh, holder, index, null);
    }
  }
  return value;
}


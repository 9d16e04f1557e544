// nxt_lvlhsh.c (with nxt_lvlhsh.h) at c8d9106a, x86_64: Unit's level
// hash, emulated closely enough that a walk visits the same values in the same order as
// Unit's would after the same inserts and deletes.
//
// Shape: a slot holds nothing, a level (an array of 1 << shift[n] slots) or a chain of
// buckets. A bucket has 10 entry positions (a 128-byte bucket of 12-byte entries and one
// next pointer); a deleted entry leaves a hole that the next insert into that chain fills
// (the lowest free position of the first bucket with room). A full bucket becomes a level
// one step down; only at the last level (shift 0) do buckets chain. Levels never turn back
// into buckets; an emptied level is freed and its slot cleared.
//
// Departures from Unit: no allocator (alloc never fails, so no NXT_ERROR); counts live in
// fields, not in pointer low bits; each entry keeps its key, and the test compares stored
// keys by the proto's test name unless the caller passes a live `matches` predicate.
// Everything in a table is plain JSON data; the iterator state of a walk is transient.

// ---- protos -----------------------------------------------------------------------------

/**
 * How a bucket entry whose hash equals the query's is tested (Unit's proto->test):
 * "pid" compares a number key (nxt_runtime_lvlhsh_pid_test), "pid-port" a [pid, port id]
 * key (nxt_port_hash_test), "hash-only" accepts any entry (nxt_rpc_reg_test returns NXT_OK).
 */
export type LvlhshTestName = "pid" | "pid-port" | "hash-only";

export type LvlhshKey = number | readonly [number, number];

export type LvlhshProtoName = "lvlhsh_processes_proto" | "lvlhsh_ports_proto" | "lvlhsh_rpc_reg_proto";

export interface LvlhshProto {
  readonly name: LvlhshProtoName;
  /** Bytes; NXT_LVLHSH_DEFAULT_BUCKET_SIZE on 64-bit. */
  readonly bucketSize: number;
  /** NXT_LVLHSH_BUCKET_END / NXT_LVLHSH_ENTRY_SIZE: (128 - 8) / 12 = 10 entries. */
  readonly bucketEntries: number;
  /** Key bits taken per level; 0 ends the levels (only chained buckets below). */
  readonly shift: readonly number[];
  readonly test: LvlhshTestName;
}

/** NXT_LVLHSH_DEFAULT on x86_64: 128-byte buckets, seven 16-slot levels. */
function defaultProto(name: LvlhshProtoName, test: LvlhshTestName): LvlhshProto {
  return Object.freeze({
    name,
    bucketSize: 128,
    bucketEntries: (128 - 8) / 12,
    shift: Object.freeze([4, 4, 4, 4, 4, 4, 4, 0]),
    test,
  });
}

/** rt->processes (nxt_runtime.c); also the prototype's nxt_proto_processes (nxt_application.c). */
export const LVLHSH_PROCESSES_PROTO = defaultProto("lvlhsh_processes_proto", "pid");
/** rt->ports (nxt_port_hash.c), and the router's app->port_hash. */
export const LVLHSH_PORTS_PROTO = defaultProto("lvlhsh_ports_proto", "pid-port");
/** port->rpc_streams and port->rpc_peers (nxt_port_rpc.c). */
export const LVLHSH_RPC_REG_PROTO = defaultProto("lvlhsh_rpc_reg_proto", "hash-only");

const PROTOS: Readonly<Record<LvlhshProtoName, LvlhshProto>> = {
  lvlhsh_processes_proto: LVLHSH_PROCESSES_PROTO,
  lvlhsh_ports_proto: LVLHSH_PORTS_PROTO,
  lvlhsh_rpc_reg_proto: LVLHSH_RPC_REG_PROTO,
};

/** A table's proto (Unit passes it with every query as lhq->proto; a table names its own). */
export function protoOf(lh: Lvlhsh): LvlhshProto {
  return PROTOS[lh.proto];
}

// ---- the structure ----------------------------------------------------------------------

export interface LvlhshEntry {
  value: number;
  hash: number;
  key: LvlhshKey;
}

export interface LvlhshBucket {
  kind: "bucket";
  /** Valid entries; 0 only once freed (lets a walk detect a read of freed memory). */
  count: number;
  /** bucketEntries positions; null is a free position (a hole or never used). */
  entries: (LvlhshEntry | null)[];
  next: LvlhshBucket | null;
}

export interface LvlhshLevel {
  kind: "level";
  /** Non-empty slots. */
  count: number;
  slots: (LvlhshNode | null)[];
}

export type LvlhshNode = LvlhshBucket | LvlhshLevel;

/**
 * nxt_lvlhsh_t with the name of its proto (a static table in Unit: copying it into every
 * process image on each clone was a fifth of what a clone copied).
 */
export interface Lvlhsh {
  proto: LvlhshProtoName;
  root: LvlhshNode | null;
}

/** A live test, as Unit's test functions read the stored object (process->pid) at call time. */
export type LvlhshMatch = (value: number) => boolean;

export function lvlhshCreate(proto: LvlhshProto): Lvlhsh {
  return { proto: proto.name, root: null };
}

export function lvlhshIsEmpty(lh: Lvlhsh): boolean {
  return lh.root === null;
}

function keysEqual(test: LvlhshTestName, stored: LvlhshKey, query: LvlhshKey): boolean {
  switch (test) {
    case "hash-only":
      return true;
    case "pid":
      return stored === query;
    case "pid-port":
      return typeof stored !== "number" && typeof query !== "number" && stored[0] === query[0] && stored[1] === query[1];
  }
}

export function entryMatches(
  lh: Lvlhsh,
  e: LvlhshEntry,
  hash: number,
  key: LvlhshKey,
  matches: LvlhshMatch | undefined,
): boolean {
  if (e.hash !== hash) {
    return false;
  }
  return matches === undefined ? keysEqual(protoOf(lh).test, e.key, key) : matches(e.value);
}

function newBucket(lh: Lvlhsh, entry: LvlhshEntry): LvlhshBucket {
  const entries = new Array<LvlhshEntry | null>(protoOf(lh).bucketEntries).fill(null);
  entries[0] = entry;
  return { kind: "bucket", count: 1, entries, next: null };
}

function newLevel(size: number): LvlhshLevel {
  return { kind: "level", count: 0, slots: new Array<LvlhshNode | null>(size).fill(null) };
}

export function freeBucket(bucket: LvlhshBucket): void {
  bucket.count = 0;
}

export function levelMask(lh: Lvlhsh, nlvl: number): number {
  return (1 << (protoOf(lh).shift[nlvl] ?? 0)) - 1;
}

/** The slot at `index` of `holder`, or the root when holder is null. */
export function getSlot(lh: Lvlhsh, holder: LvlhshLevel | null, index: number): LvlhshNode | null {
  return holder === null ? lh.root : (holder.slots[index] ?? null);
}

export function setSlot(lh: Lvlhsh, holder: LvlhshLevel | null, index: number, node: LvlhshNode | null): void {
  if (holder === null) {
    lh.root = node;
  } else {
    holder.slots[index] = node;
  }
}

// ---- find -------------------------------------------------------------------------------

/** nxt_lvlhsh_find: the first entry (chain order, then position) that passes the test. */
export function lvlhshFind(lh: Lvlhsh, hash: number, key: LvlhshKey, matches?: LvlhshMatch): number | undefined {
  let node = lh.root;
  let bits = hash >>> 0;
  for (let nlvl = 0; node !== null && node.kind === "level"; nlvl++) {
    node = node.slots[bits & levelMask(lh, nlvl)] ?? null;
    bits >>>= protoOf(lh).shift[nlvl] ?? 0;
  }
  for (let b = node; b !== null; b = b.next) {
    for (let pos = 0, seen = 0; seen < b.count && pos < b.entries.length; pos++) {
      const e = b.entries[pos] ?? null;
      if (e !== null) {
        seen++;
        if (entryMatches(lh, e, hash >>> 0, key, matches)) {
          return e.value;
        }
      }
    }
  }
  return undefined;
}

// ---- insert -----------------------------------------------------------------------------

/**
 * nxt_lvlhsh_insert with replace = 0: adds the entry and returns undefined, or, when an
 * entry passes the test, changes nothing and returns its value (NXT_DECLINED).
 */
export function lvlhshInsert(
  lh: Lvlhsh,
  hash: number,
  key: LvlhshKey,
  value: number,
  matches?: LvlhshMatch,
): number | undefined {
  return insert(lh, { value, hash: hash >>> 0, key: copyKey(key) }, false, matches);
}

/**
 * nxt_lvlhsh_insert with replace = 1: puts `value` in place of the entry that passes the
 * test (returning the old value), or adds it (returning undefined).
 */
export function lvlhshReplace(
  lh: Lvlhsh,
  hash: number,
  key: LvlhshKey,
  value: number,
  matches?: LvlhshMatch,
): number | undefined {
  return insert(lh, { value, hash: hash >>> 0, key: copyKey(key) }, true, matches);
}

function copyKey(key: LvlhshKey): LvlhshKey {
  return typeof key === "number" ? key : [key[0], key[1]];
}

function insert(lh: Lvlhsh, entry: LvlhshEntry, replace: boolean, matches: LvlhshMatch | undefined): number | undefined {
  const root = lh.root;
  if (root === null) {
    lh.root = newBucket(lh, entry);
    return undefined;
  }
  if (root.kind === "bucket") {
    return bucketInsert(lh, null, 0, entry.hash, -1, entry, replace, matches);
  }
  return levelInsert(lh, root, entry.hash, 0, entry, replace, matches);
}

/** nxt_lvlhsh_level_insert: `bits` is the hash with the upper levels' bits shifted out. */
function levelInsert(
  lh: Lvlhsh,
  level: LvlhshLevel,
  bits: number,
  nlvl: number,
  entry: LvlhshEntry,
  replace: boolean,
  matches: LvlhshMatch | undefined,
): number | undefined {
  const index = bits & levelMask(lh, nlvl);
  const slot = level.slots[index] ?? null;
  if (slot === null) {
    level.slots[index] = newBucket(lh, entry);
    level.count++;
    return undefined;
  }
  const rest = bits >>> (protoOf(lh).shift[nlvl] ?? 0);
  if (slot.kind === "bucket") {
    return bucketInsert(lh, level, index, rest, nlvl, entry, replace, matches);
  }
  return levelInsert(lh, slot, rest, nlvl + 1, entry, replace, matches);
}

/** nxt_lvlhsh_bucket_insert on the chain in holder's slot `index`, which sits at level nlvl. */
function bucketInsert(
  lh: Lvlhsh,
  holder: LvlhshLevel | null,
  index: number,
  bits: number,
  nlvl: number,
  entry: LvlhshEntry,
  replace: boolean,
  matches: LvlhshMatch | undefined,
): number | undefined {
  const capacity = protoOf(lh).bucketEntries;
  let vacantBucket: LvlhshBucket | null = null;
  let vacantPos = 0;
  let last = getSlot(lh, holder, index) as LvlhshBucket;

  // The whole chain is searched for a duplicate before the first free position is used.
  for (let b: LvlhshBucket | null = last; b !== null; b = b.next) {
    last = b;
    let pos = 0;
    for (let seen = 0; seen < b.count && pos < capacity; pos++) {
      const e = b.entries[pos] ?? null;
      if (e !== null) {
        if (entryMatches(lh, e, entry.hash, entry.key, matches)) {
          const old = e.value;
          if (replace) {
            e.value = entry.value;
            e.key = entry.key;
          }
          return old;
        }
        seen++;
      } else if (vacantBucket === null) {
        vacantBucket = b;
        vacantPos = pos;
      }
    }
    if (pos < capacity && vacantBucket === null) {
      vacantBucket = b;
      vacantPos = pos;
    }
  }

  if (vacantBucket !== null) {
    vacantBucket.entries[vacantPos] = entry;
    vacantBucket.count++;
    return undefined;
  }

  // Every bucket is full: the bucket becomes a level, or at the last level a new bucket chains.
  const below = nlvl + 1;
  if ((protoOf(lh).shift[below] ?? 0) !== 0) {
    const level = convertBucketToLevel(lh, last, below);
    setSlot(lh, holder, index, level);
    return levelInsert(lh, level, bits, below, entry, replace, matches);
  }
  last.next = newBucket(lh, entry);
  return undefined;
}

/** nxt_lvlhsh_convert_bucket_to_level: re-files a full bucket's entries in position order. */
function convertBucketToLevel(lh: Lvlhsh, bucket: LvlhshBucket, nlvl: number): LvlhshLevel {
  const level = newLevel(1 << (protoOf(lh).shift[nlvl] ?? 0));
  let used = 0;
  for (let i = 0; i < nlvl; i++) {
    used += protoOf(lh).shift[i] ?? 0;
  }
  for (const e of bucket.entries) {
    if (e === null) {
      throw new Error("lvlhsh: converting a bucket with a hole (unreachable in Unit)");
    }
    conversionInsert(lh, level, e.hash >>> used, nlvl, e);
  }
  freeBucket(bucket);
  return level;
}

/** nxt_lvlhsh_level_convertion_insert + bucket_convertion_insert: append, no test. */
function conversionInsert(lh: Lvlhsh, level: LvlhshLevel, bits: number, nlvl: number, entry: LvlhshEntry): void {
  const index = bits & levelMask(lh, nlvl);
  const slot = level.slots[index] ?? null;
  if (slot === null) {
    level.slots[index] = newBucket(lh, entry);
    level.count++;
    return;
  }
  // Ten entries from one bucket always fit in the fresh buckets of one level.
  if (slot.kind === "level" || slot.count >= protoOf(lh).bucketEntries) {
    throw new Error("lvlhsh: conversion overflowed a bucket (unreachable in Unit)");
  }
  slot.entries[slot.count] = entry;
  slot.count++;
}

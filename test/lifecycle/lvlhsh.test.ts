// lifecycle/lvlhsh.ts, lvlhsh-each.ts and murmur-hash.ts against Unit's nxt_lvlhsh.c and nxt_murmur_hash.c (c8d9106a, x86_64).
// Expected hashes and walk orders are derived by hand from Unit's definitions (the
// derivations are in the comments), never by running the module under test.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  LVLHSH_PORTS_PROTO,
  LVLHSH_PROCESSES_PROTO,
  LVLHSH_RPC_REG_PROTO,
  lvlhshCreate,
  lvlhshFind,
  lvlhshInsert,
  lvlhshIsEmpty,
  lvlhshReplace,
  protoOf,
  type Lvlhsh,
  type LvlhshNode,
} from "../../lifecycle/lvlhsh.ts";
import { lvlhshDelete, lvlhshPeek, lvlhshRetrieve } from "../../lifecycle/lvlhsh-delete.ts";
import { lvlhshEach, lvlhshEachInit, lvlhshEachNext, lvlhshWalk } from "../../lifecycle/lvlhsh-each.ts";
import { murmurHash2, murmurHash2Int32, portKeyHash, processKeyHash, rpcPeerKeyHash, rpcStreamKeyHash } from "../../lifecycle/murmur-hash.ts";

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** A process table after inserting `pids` (value = pid), as nxt_runtime_process_add does. */
function processTable(pids: number[]): Lvlhsh {
  const lh = lvlhshCreate(LVLHSH_PROCESSES_PROTO);
  for (const pid of pids) {
    expect(lvlhshInsert(lh, processKeyHash(pid), pid, pid)).toBeUndefined();
  }
  return lh;
}

function removePids(lh: Lvlhsh, pids: number[]): void {
  for (const pid of pids) {
    expect(lvlhshDelete(lh, processKeyHash(pid), pid)).toBe(pid);
  }
}

describe("murmurHash2 (nxt_murmur_hash2; m = 0x5bd1e995, h starts at len, all mod 2^32)", () => {
  it("hashes bytes as Unit does", () => {
    // "": no words, no tail; h = 0 stays 0 through h ^= h>>13, h *= m, h ^= h>>15.
    expect(murmurHash2(bytes())).toBe(0);
    // "a": h = 1; tail: h ^= 0x61 -> 0x60; h *= m -> 0x6eb797e0 (0x5bd1e995 * 0x60 = 0x226eb797e0);
    // h ^= h>>13 -> 0x6eb4e25c; h *= m -> 0x92697b8c; h ^= h>>15 -> 0x92685f5e.
    expect(murmurHash2(bytes(0x61))).toBe(0x92685f5e);
    // "abc": h = 3; tail: h ^= 0x63<<16 ^ 0x62<<8 ^ 0x61 -> 0x00636262; h *= m -> 0xd665750a;
    // h ^= h>>13 -> 0xd663c621; h *= m -> 0x13575a35; h ^= h>>15 -> 0x13577c9b.
    expect(murmurHash2(bytes(0x61, 0x62, 0x63))).toBe(0x13577c9b);
  });

  it("hashes pid 1 as its 4 little-endian bytes (nxt_runtime_process_lhq_pid)", () => {
    // h = 4; k = 0x00000001; k *= m -> 0x5bd1e995; k ^= k>>24 -> 0x5bd1e9ce; k *= m -> 0x9a2792e6;
    // h *= m -> 0x6f47a654; h ^= k -> 0xf56034b2; h ^= h>>13 -> 0xf5679fb3; h *= m -> 0x27ccde2f;
    // h ^= h>>15 -> 0x27cc91b6.
    expect(murmurHash2(bytes(1, 0, 0, 0))).toBe(0x27cc91b6);
    expect(murmurHash2Int32(1)).toBe(0x27cc91b6);
    expect(processKeyHash(1)).toBe(0x27cc91b6);
    expect(rpcPeerKeyHash(1)).toBe(0x27cc91b6);
    expect(rpcStreamKeyHash(1)).toBe(0x27cc91b6);
  });

  it("hashes the port key { int32 pid = 1; uint32 id = 0 } as 8 bytes (nxt_port_hash_lhq)", () => {
    // h = 8; word 1 mixes to k = 0x9a2792e6 (as above); h *= m -> 0xde8f4ca8; h ^= k -> 0x44a8de4e;
    // word 0 mixes to 0; h *= m -> 0xe04c6166; h ^= 0; h ^= h>>13 -> 0xe04b6305;
    // h *= m -> 0xc7152ee9; h ^= h>>15 -> 0xc714a0c3.
    expect(murmurHash2(bytes(1, 0, 0, 0, 0, 0, 0, 0))).toBe(0xc714a0c3);
    expect(portKeyHash(1, 0)).toBe(0xc714a0c3);
  });

  it("treats a negative pid as its two's-complement bytes", () => {
    expect(processKeyHash(-1)).toBe(murmurHash2(bytes(0xff, 0xff, 0xff, 0xff)));
    expect(portKeyHash(-1, 0xffffffff)).toBe(murmurHash2(new Uint8Array(8).fill(0xff)));
  });
});

// Pid hashes used below, worked out with the same steps as pid 1 above (the low nibble picks
// the slot of level 0, the next nibble the slot of level 1):
const PID_HASH: Record<number, number> = {
  100: 0xd0926992, 101: 0x15f05fe4, 102: 0x3c79dd25, 103: 0xfa301fae, 104: 0xbf9f8fea,
  105: 0xa7773620, 106: 0xe4491046, 107: 0xdff91581, 108: 0xd4fa4319, 109: 0x311d6f14,
  110: 0x793fcb50, 111: 0x4538cc20, 112: 0x5bb09a13, 113: 0x8a9ffed0, 114: 0xdb0d9921,
  // hashes ending in nibble 0:
  20: 0x00adb180, 32: 0x707f24c0, 51: 0x91894ee0, 57: 0xad7dfa50, 67: 0x452d9170,
  83: 0xc30d3e60, 89: 0x29205590,
};

describe("walk order (nxt_lvlhsh_each) for the process table, NXT_LVLHSH_DEFAULT", () => {
  it("uses the pid hashes above", () => {
    for (const [pid, hash] of Object.entries(PID_HASH)) {
      expect(processKeyHash(Number(pid))).toBe(hash);
    }
  });

  it("A: up to 10 pids share the root bucket and walk in insertion order", () => {
    // A 128-byte bucket holds (128 - 8) / 12 = 10 entries; each insert takes the first free
    // position, so positions follow insertion order whatever the hashes.
    expect(lvlhshEach(processTable([109, 100, 105]))).toEqual([109, 100, 105]);
    expect(lvlhshEach(processTable([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]))).toEqual([
      100, 101, 102, 103, 104, 105, 106, 107, 108, 109,
    ]);
  });

  it("B: a delete leaves a hole that the next insert fills (nothing moves)", () => {
    // Root bucket positions 0..4 = 100..104. Deleting 101 and 103 frees positions 1 and 3;
    // 105 takes position 1 (the first free one), 106 position 3.
    const lh = processTable([100, 101, 102, 103, 104]);
    removePids(lh, [101, 103]);
    expect(lvlhshEach(lh)).toEqual([100, 102, 104]);
    lvlhshInsert(lh, processKeyHash(105), 105, 105);
    expect(lvlhshEach(lh)).toEqual([100, 105, 102, 104]);
    lvlhshInsert(lh, processKeyHash(106), 106, 106);
    expect(lvlhshEach(lh)).toEqual([100, 105, 102, 106, 104]);
  });

  it("C: the 11th pid turns the root bucket into a 16-slot level, walked by the low nibble", () => {
    // 100..109 fill the root bucket. 110 finds no room, so the bucket is converted: its entries,
    // in position order, are re-filed by hash & 15 (low nibbles: 100:2 101:4 102:5 103:14 104:10
    // 105:0 106:6 107:1 108:9 109:4), each appended in its slot's new bucket; then 110 (nibble 0)
    // is inserted normally, into slot 0 after 105. Slots are walked 0..15:
    // 0:[105,110] 1:[107] 2:[100] 4:[101,109] 5:[102] 6:[106] 9:[108] 10:[104] 14:[103].
    const lh = processTable([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    expect(lh.root?.kind).toBe("level");
    expect(lvlhshEach(lh)).toEqual([105, 110, 107, 100, 101, 109, 102, 106, 108, 104, 103]);
  });

  it("D: deletes and inserts in a level; the level never turns back into a bucket", () => {
    const lh = processTable([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    // Delete 105 (slot 0 becomes [hole, 110]) and 107 (slot 1's only entry: bucket freed).
    // 111 (nibble 0) fills the hole at slot 0 position 0; 113 (nibble 0) goes after 110;
    // 114 (nibble 1) gets a new bucket in slot 1.
    removePids(lh, [105, 107]);
    for (const pid of [111, 113, 114]) {
      lvlhshInsert(lh, processKeyHash(pid), pid, pid);
    }
    expect(lvlhshEach(lh)).toEqual([111, 110, 113, 114, 100, 101, 109, 102, 106, 108, 104, 103]);
    // Down to 103 (slot 14) the root stays a level, so 100 (slot 2) now walks BEFORE 103,
    // where a root bucket would have put it after.
    removePids(lh, [111, 110, 113, 114, 100, 101, 109, 102, 106, 108, 104]);
    expect(lvlhshEach(lh)).toEqual([103]);
    lvlhshInsert(lh, processKeyHash(100), 100, 100);
    expect(lvlhshEach(lh)).toEqual([100, 103]);
    // Emptying the level frees it; the table starts over with a root bucket.
    removePids(lh, [100, 103]);
    expect(lvlhshIsEmpty(lh)).toBe(true);
    lvlhshInsert(lh, processKeyHash(103), 103, 103);
    lvlhshInsert(lh, processKeyHash(100), 100, 100);
    expect(lvlhshEach(lh)).toEqual([103, 100]);
  });

  it("E: 11 pids with the same low nibble make a second level, walked by the next nibble", () => {
    // All of 20 32 51 57 67 83 89 105 110 111 113 end in nibble 0. The first ten fill the root
    // bucket; 113 converts it into level 0, where all ten land in slot 0's bucket (full), so
    // 113 converts that bucket into a level-1 level keyed by bits 4..7 (20:8 32:12 51:14 57:5
    // 67:7 83:6 89:9 105:2 110:5 111:2, in that position order), then goes to slot 13.
    // Walk of slot 0's level: 2:[105,111] 5:[57,110] 6:[83] 7:[67] 8:[20] 9:[89] 12:[32]
    // 13:[113] 14:[51]. Then 100 (level-0 slot 2) and 107 (slot 1) walk after all of slot 0.
    const lh = processTable([20, 32, 51, 57, 67, 83, 89, 105, 110, 111, 113]);
    expect(lvlhshEach(lh)).toEqual([105, 111, 57, 110, 83, 67, 20, 89, 32, 113, 51]);
    const level0 = lh.root;
    expect(level0?.kind === "level" && level0.slots[0]?.kind).toBe("level");
    lvlhshInsert(lh, processKeyHash(100), 100, 100);
    lvlhshInsert(lh, processKeyHash(107), 107, 107);
    expect(lvlhshEach(lh)).toEqual([105, 111, 57, 110, 83, 67, 20, 89, 32, 113, 51, 107, 100]);
  });

  it("F: peek and retrieve take the walk's first value (nxt_port_rpc_close, nxt_port_hash_retrieve)", () => {
    const lh = processTable([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    expect(lvlhshPeek(lh)).toBe(105);
    const drained: number[] = [];
    for (let v = lvlhshRetrieve(lh); v !== undefined; v = lvlhshRetrieve(lh)) {
      drained.push(v);
    }
    expect(drained).toEqual([105, 110, 107, 100, 101, 109, 102, 106, 108, 104, 103]);
    expect(lvlhshIsEmpty(lh)).toBe(true);
  });
});

describe("duplicates and tests", () => {
  it("insert with replace = 0 declines a duplicate and returns the stored value", () => {
    const lh = processTable([100]);
    expect(lvlhshInsert(lh, processKeyHash(100), 100, 999)).toBe(100);
    expect(lvlhshFind(lh, processKeyHash(100), 100)).toBe(100);
  });

  it("the pid test tells apart equal hashes; the rpc test (always NXT_OK) does not", () => {
    const procs = lvlhshCreate(LVLHSH_PROCESSES_PROTO);
    expect(lvlhshInsert(procs, 5, 1, 10)).toBeUndefined();
    expect(lvlhshInsert(procs, 5, 2, 20)).toBeUndefined();
    expect(lvlhshFind(procs, 5, 2)).toBe(20);
    const rpc = lvlhshCreate(LVLHSH_RPC_REG_PROTO);
    expect(lvlhshInsert(rpc, 5, 1, 10)).toBeUndefined();
    expect(lvlhshInsert(rpc, 5, 2, 20)).toBe(10);
    expect(lvlhshFind(rpc, 5, 2)).toBe(10);
  });

  it("replace = 1 swaps the value in place (nxt_port_rpc_remove_from_peers)", () => {
    const peers = lvlhshCreate(LVLHSH_RPC_REG_PROTO);
    lvlhshInsert(peers, rpcPeerKeyHash(100), 100, 7);
    lvlhshInsert(peers, rpcPeerKeyHash(101), 101, 8);
    expect(lvlhshReplace(peers, rpcPeerKeyHash(100), 100, 9)).toBe(7);
    expect(lvlhshEach(peers)).toEqual([9, 8]);
    expect(lvlhshReplace(peers, rpcPeerKeyHash(102), 102, 10)).toBeUndefined();
  });

  it("the ports test compares (pid, id); a live test can read the stored object instead", () => {
    const ports = lvlhshCreate(LVLHSH_PORTS_PROTO);
    lvlhshInsert(ports, portKeyHash(100, 0), [100, 0], 1);
    lvlhshInsert(ports, portKeyHash(100, 1), [100, 1], 2);
    expect(lvlhshFind(ports, portKeyHash(100, 1), [100, 1])).toBe(2);
    expect(lvlhshFind(ports, portKeyHash(100, 2), [100, 2])).toBeUndefined();
    // Unit's test reads port->pid at call time: a record whose pid changed no longer matches.
    const livePid: Record<number, number> = { 1: 100, 2: 555 };
    expect(lvlhshFind(ports, portKeyHash(100, 1), [100, 1], (v) => livePid[v] === 100)).toBeUndefined();
  });
});

describe("walks while the table changes (the nxt_lvlhsh_each_t state)", () => {
  it("nxt_runtime_process_each fetches the next entry first, so the body may delete the current", () => {
    const lh = processTable([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    const seen: number[] = [];
    lvlhshWalk(lh, (pid) => {
      seen.push(pid);
      expect(lvlhshDelete(lh, processKeyHash(pid), pid)).toBe(pid);
    });
    expect(seen).toEqual([105, 110, 107, 100, 101, 109, 102, 106, 108, 104, 103]);
    expect(lvlhshIsEmpty(lh)).toBe(true);
  });

  it("an entry added behind the walk is missed, one ahead is seen; after the end it restarts", () => {
    // Root bucket [100,101,102]: the walk took its entry count (3) on entering the bucket, so
    // 103, added at position 3 after the first step, is never reached.
    const small = processTable([100, 101, 102]);
    const it1 = lvlhshEachInit();
    expect(lvlhshEachNext(small, it1)).toBe(100);
    lvlhshInsert(small, processKeyHash(103), 103, 103);
    expect([lvlhshEachNext(small, it1), lvlhshEachNext(small, it1), lvlhshEachNext(small, it1)]).toEqual([101, 102, undefined]);
    // Level of case C, walked to 107 (slot 1): 111 joins slot 0 (behind), 112 (nibble 3) a new
    // slot 3 (ahead, visited after 100 in slot 2). The walk ends past slot 14's finished
    // bucket with the bucket field NULL, so Unit's next call starts a new walk.
    const lh = processTable([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    const it2 = lvlhshEachInit();
    const steps = [lvlhshEachNext(lh, it2), lvlhshEachNext(lh, it2), lvlhshEachNext(lh, it2)];
    lvlhshInsert(lh, processKeyHash(111), 111, 111);
    lvlhshInsert(lh, processKeyHash(112), 112, 112);
    for (let i = 0; i < 11; i++) {
      steps.push(lvlhshEachNext(lh, it2));
    }
    expect(steps).toEqual([105, 110, 107, 100, 112, 101, 109, 102, 106, 108, 104, 103, undefined, 105]);
  });

  it("throws where Unit would read past the bucket (an unvisited entry of the current bucket deleted)", () => {
    const lh = processTable([100, 101, 102]);
    const it = lvlhshEachInit();
    expect(lvlhshEachNext(lh, it)).toBe(100);
    removePids(lh, [102]);
    expect(lvlhshEachNext(lh, it)).toBe(101);
    expect(() => lvlhshEachNext(lh, it)).toThrow(/read past the bucket/);
  });
});

// ---- properties --------------------------------------------------------------------------

type Op = { kind: "insert" | "delete" | "find"; pid: number };

const opArb = (pidRange: number): fc.Arbitrary<Op> =>
  fc.record({
    kind: fc.constantFrom<Op["kind"]>("insert", "insert", "delete", "find"),
    pid: fc.integer({ min: 1, max: pidRange }),
  });

/** Node counts agree with contents, buckets chain only below the last level, no empty node. */
function checkShape(lh: Lvlhsh): void {
  const walk = (node: LvlhshNode, nlvl: number): void => {
    if (node.kind === "level") {
      expect(node.count).toBe(node.slots.filter((s) => s !== null).length);
      expect(node.count).toBeGreaterThan(0);
      node.slots.forEach((s) => s !== null && walk(s, nlvl + 1));
      return;
    }
    expect(node.next === null || protoOf(lh).shift[nlvl] === 0).toBe(true);
    for (let b: typeof node | null = node; b !== null; b = b.next) {
      expect(b.entries).toHaveLength(protoOf(lh).bucketEntries);
      expect(b.count).toBe(b.entries.filter((e) => e !== null).length);
      expect(b.count).toBeGreaterThan(0);
    }
  };
  if (lh.root !== null) {
    walk(lh.root, 0);
  }
}

function stepWalk(lh: Lvlhsh): number[] {
  const it = lvlhshEachInit();
  const out: number[] = [];
  for (let v = lvlhshEachNext(lh, it); v !== undefined; v = lvlhshEachNext(lh, it)) {
    out.push(v);
  }
  return out;
}

describe("properties", () => {
  it.each([12, 60, 400])("insert/find/delete/each agree with a Map (pids 1..%i)", (pidRange) => {
    fc.assert(
      fc.property(fc.array(opArb(pidRange), { maxLength: 300 }), (ops) => {
        const lh = lvlhshCreate(LVLHSH_PROCESSES_PROTO);
        const ref = new Map<number, number>();
        ops.forEach((op, i) => {
          const hash = processKeyHash(op.pid);
          if (op.kind === "insert") {
            expect(lvlhshInsert(lh, hash, op.pid, i)).toBe(ref.get(op.pid));
            if (!ref.has(op.pid)) {
              ref.set(op.pid, i);
            }
          } else if (op.kind === "delete") {
            expect(lvlhshDelete(lh, hash, op.pid)).toBe(ref.get(op.pid));
            ref.delete(op.pid);
          } else {
            expect(lvlhshFind(lh, hash, op.pid)).toBe(ref.get(op.pid));
          }
        });
        const walked = lvlhshEach(lh);
        expect([...walked].sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
        expect(stepWalk(lh)).toEqual(walked);
        expect(lvlhshPeek(lh)).toBe(walked[0]);
        expect(JSON.parse(JSON.stringify(lh))).toStrictEqual(lh);
        checkShape(lh);
      }),
      { numRuns: 150 },
    );
  });

  it("deep levels and chained buckets (colliding hashes) keep the same contract", () => {
    // Hashes from a small pool sharing low bits force conversions down to the last level,
    // where buckets chain; distinct pids keep entries apart under the pid test.
    const pool = [0, 0x10, 0x100, 0x1000_0000, 0xf000_0000, 0x0fff_ffff, 1];
    fc.assert(
      fc.property(fc.array(opArb(80), { maxLength: 300 }), (ops) => {
        const lh = lvlhshCreate(LVLHSH_PROCESSES_PROTO);
        const ref = new Map<number, number>();
        const hashOf = (pid: number): number => pool[pid % pool.length]!;
        ops.forEach((op, i) => {
          if (op.kind === "insert") {
            expect(lvlhshInsert(lh, hashOf(op.pid), op.pid, i)).toBe(ref.get(op.pid));
            if (!ref.has(op.pid)) {
              ref.set(op.pid, i);
            }
          } else if (op.kind === "delete") {
            expect(lvlhshDelete(lh, hashOf(op.pid), op.pid)).toBe(ref.get(op.pid));
            ref.delete(op.pid);
          } else {
            expect(lvlhshFind(lh, hashOf(op.pid), op.pid)).toBe(ref.get(op.pid));
          }
        });
        const walked = lvlhshEach(lh);
        expect(walked.length).toBe(ref.size);
        expect(stepWalk(lh)).toEqual(walked);
        expect(JSON.parse(JSON.stringify(lh))).toStrictEqual(lh);
        checkShape(lh);
        const drained: number[] = [];
        for (let v = lvlhshRetrieve(lh); v !== undefined; v = lvlhshRetrieve(lh)) {
          drained.push(v);
        }
        expect(drained).toEqual(walked);
        expect(lvlhshIsEmpty(lh)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("a walk deleting each current entry visits the table's walk order and empties it", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), (pids) => {
        const lh = processTable(pids);
        const expected = lvlhshEach(lh);
        const seen: number[] = [];
        lvlhshWalk(lh, (pid) => {
          seen.push(pid);
          lvlhshDelete(lh, processKeyHash(pid), pid);
        });
        expect(seen).toEqual(expected);
        expect(lvlhshIsEmpty(lh)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

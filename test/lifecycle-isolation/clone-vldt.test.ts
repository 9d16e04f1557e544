// Map validation vectors in the spirit of Unit's src/test/nxt_clone_test.c (rewritten here):
// each case is (which map, the map, privileged?, app credential, unit's euid/egid) -> ok or
// the exact line Unit logs.

import { describe, expect, test } from "vitest";
import { cloneVldtCredentialGidmap, cloneVldtCredentialUidmap } from "../../lifecycle/clone.ts";
import type { Credential } from "../../lifecycle/credential.ts";
import type { MapEntry } from "../../lifecycle/isolation.ts";

interface Vector {
  why: string;
  which: "uid" | "gid";
  map: MapEntry[];
  privileged: boolean;
  cred: Credential;
  expect: string | null;
}

const m = (container: number, host: number, size: number): MapEntry => ({ container, host, size });
const cred = (user: string, uid: number, baseGid: number, gids: number[] = []): Credential => ({
  user,
  uid,
  baseGid,
  gids,
});
const threeGroups = [1000, 10000, 60000];

const vectors: Vector[] = [
  // unprivileged unit (euid/egid 1000), uid maps
  { why: "no map: the default one-line map is used", which: "uid", map: [], privileged: false, cred: cred("nobody", 65534, 65534), expect: null },
  { why: "no map, another user", which: "uid", map: [], privileged: false, cred: cred("alice", 10000, 10000), expect: null },
  { why: "own uid mapped to itself", which: "uid", map: [m(1000, 1000, 1)], privileged: false, cred: cred("alice", 1000, 1000), expect: null },
  { why: "own uid becomes root inside", which: "uid", map: [m(0, 1000, 1)], privileged: false, cred: cred("root", 0, 0), expect: null },
  { why: "own uid becomes nobody inside", which: "uid", map: [m(65534, 1000, 1)], privileged: false, cred: cred("nobody", 65534, 0), expect: null },
  {
    why: "two entries are too many without privileges",
    which: "uid",
    map: [m(0, 1000, 1), m(1000, 2000, 1)],
    privileged: false,
    cred: cred("root", 0, 0),
    expect: '"uidmap" field has 2 entries but unprivileged unit has a maximum of 1 map.',
  },
  {
    why: "unprivileged may only map its own euid",
    which: "uid",
    map: [m(0, 2000, 1)],
    privileged: false,
    cred: cred("root", 0, 0),
    expect: '"uidmap" field has an entry for host uid 2000 but unprivileged unit can only map itself (uid 1000) into child namespaces.',
  },
  // privileged unit, uid maps: the app uid must fall inside some container range
  { why: "privileged: two entries fine", which: "uid", map: [m(0, 1000, 1), m(1000, 2000, 1)], privileged: true, cred: cred("root", 0, 0), expect: null },
  { why: "uid inside the first range", which: "uid", map: [m(0, 1000, 1000), m(1000, 2000, 1000)], privileged: true, cred: cred("alice", 500, 0), expect: null },
  { why: "uid at the start of the second range", which: "uid", map: [m(0, 1000, 1000), m(1000, 2000, 1000)], privileged: true, cred: cred("alice", 1000, 0), expect: null },
  { why: "uid in the middle of the second range", which: "uid", map: [m(0, 1000, 1000), m(1000, 2000, 1000)], privileged: true, cred: cred("alice", 1500, 0), expect: null },
  { why: "uid at the last id of the second range", which: "uid", map: [m(0, 1000, 1000), m(1000, 2000, 1000)], privileged: true, cred: cred("alice", 1999, 0), expect: null },
  {
    why: "uid one past the end of every range",
    which: "uid",
    map: [m(0, 1000, 1000), m(1000, 2000, 1000)],
    privileged: true,
    cred: cred("alice", 2000, 0),
    expect: '"uidmap" field has no "container" entry for user "alice" (uid 2000)',
  },
  // unprivileged unit, gid maps
  { why: "empty gid map", which: "gid", map: [], privileged: false, cred: cred("nobody", 65534, 65534), expect: null },
  { why: "own gid becomes 0 inside", which: "gid", map: [m(0, 1000, 1)], privileged: false, cred: cred("root", 0, 0), expect: null },
  { why: "own gid becomes 65534 inside", which: "gid", map: [m(65534, 1000, 1)], privileged: false, cred: cred("nobody", 65534, 65534), expect: null },
  {
    why: "the base gid is not the container id",
    which: "gid",
    map: [m(65535, 1000, 1)],
    privileged: false,
    cred: cred("alice", 1000, 1000),
    expect: '"gidmap" field has no "container" entry for gid 1000.',
  },
  {
    why: "size above 1 without privileges",
    which: "gid",
    map: [m(1000, 1000, 2)],
    privileged: false,
    cred: cred("alice", 1000, 1000),
    expect: '"gidmap" field has an entry with "size": 2, but for unprivileged unit it must be 1.',
  },
  {
    why: "host gid other than unit's egid",
    which: "gid",
    map: [m(1000, 1001, 1)],
    privileged: false,
    cred: cred("alice", 1000, 1000),
    expect: '"gidmap" field has an entry for host gid 1001 but unprivileged unit can only map itself (gid 1000) into child namespaces.',
  },
  {
    why: "supplementary groups are refused without privileges",
    which: "gid",
    map: [m(1000, 1000, 1)],
    privileged: false,
    cred: cred("alice", 1000, 1000, threeGroups),
    expect: 'unprivileged unit disallow supplementary groups for new namespace (user "alice" has 3 groups).',
  },
  {
    why: "the only group being the base gid is fine without privileges",
    which: "gid",
    map: [m(1000, 1000, 1)],
    privileged: false,
    cred: cred("alice", 1000, 1000, [1000]),
    expect: null,
  },
  // privileged unit, gid maps
  { why: "privileged, empty map, no groups", which: "gid", map: [], privileged: true, cred: cred("alice", 1000, 1000), expect: null },
  {
    why: "base gid of nobody missing",
    which: "gid",
    map: [m(0, 1000, 1)],
    privileged: true,
    cred: cred("nobody", 65534, 65534),
    expect: '"gidmap" field has no "container" entry for gid 65534.',
  },
  { why: "a wide range covers it", which: "gid", map: [m(0, 1000, 65535)], privileged: true, cred: cred("nobody", 65534, 65534), expect: null },
  { why: "a separate entry covers it", which: "gid", map: [m(0, 1000, 1), m(65534, 1000, 1)], privileged: true, cred: cred("nobody", 65534, 65534), expect: null },
  { why: "a big range", which: "gid", map: [m(0, 0, 200000)], privileged: true, cred: cred("alice", 100000, 100000), expect: null },
  {
    why: "empty map but supplementary groups",
    which: "gid",
    map: [],
    privileged: true,
    cred: cred("alice", 1000, 1000, threeGroups),
    expect: '"gidmap" field has no entries but user "alice" has 3 suplementary groups.',
  },
  {
    why: "one supplementary group (not the base) in the singular",
    which: "gid",
    map: [],
    privileged: true,
    cred: cred("alice", 1000, 1000, [10000]),
    expect: '"gidmap" field has no entries but user "alice" has 1 suplementary group.',
  },
  {
    why: "base gid not covered (checked before the supplementary ones)",
    which: "gid",
    map: [m(0, 0, 1)],
    privileged: true,
    cred: cred("alice", 1000, 1000, threeGroups),
    expect: '"gidmap" field has no "container" entry for gid 1000.',
  },
  {
    why: "only the base of three covered",
    which: "gid",
    map: [m(1000, 0, 1)],
    privileged: true,
    cred: cred("alice", 1000, 1000, threeGroups),
    expect: '"gidmap" field has missing suplementary gid mappings (found 1 out of 3).',
  },
  {
    why: "two of three covered",
    which: "gid",
    map: [m(1000, 0, 1), m(10000, 10000, 1)],
    privileged: true,
    cred: cred("alice", 1000, 1000, threeGroups),
    expect: '"gidmap" field has missing suplementary gid mappings (found 2 out of 3).',
  },
  {
    why: "all covered",
    which: "gid",
    map: [m(1000, 0, 1), m(10000, 10000, 1), m(60000, 60000, 1)],
    privileged: true,
    cred: cred("alice", 1000, 1000, threeGroups),
    expect: null,
  },
];

describe("cloneVldtCredentialUidmap / cloneVldtCredentialGidmap (nxt_clone_test.c vectors)", () => {
  test.each(vectors.map((v) => [v.why, v] as const))("%s", (_why, v) => {
    const ctx = { caps: { setid: v.privileged, chroot: v.privileged }, mainEuid: 1000, mainEgid: 1000 };
    const r =
      v.which === "uid" ? cloneVldtCredentialUidmap(v.map, v.cred, ctx) : cloneVldtCredentialGidmap(v.map, v.cred, ctx);
    if (v.expect === null) {
      expect(r).toEqual({ ok: true, value: undefined });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.alerts).toEqual([v.expect]);
        expect(r.field).toBe(v.which === "uid" ? "isolation/uidmap" : "isolation/gidmap");
      }
    }
  });

  test("a negative container wraps like Unit's unsigned cast and never covers a small uid", () => {
    const ctx = { caps: { setid: true, chroot: true }, mainEuid: 0, mainEgid: 0 };
    const r = cloneVldtCredentialUidmap([m(-1, 0, 10)], cred("alice", 5, 5), ctx);
    expect(r.ok).toBe(false);
  });
});

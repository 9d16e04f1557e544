// Digests of a simulated world for the exhaustive search: one per process and one per socket
// end (what footprints are made of: an event that reads a process's own socket and one that
// writes another's touch different parts) and one of the kernel-wide state (pid allocators, namespaces, socket and inode
// counters, pending timers and actions). Two worlds with equal digests behave the same from
// then on. Time is left out except as "due in N ms", so that the same state reached after a
// different number of steps is recognised. The walk is generic (every own field), so a new
// field in a sim class is covered without a change here; objects reached twice are written
// as back-references, Maps and Sets sorted, so the text does not depend on insertion order.

import { createHash } from "node:crypto";

import { PidNamespace } from "../pids.ts";
import { SimProcess } from "../process.ts";
import { SocketEnd } from "../sockets.ts";
import { UserNamespace } from "../userns.ts";
import type { World } from "../world.ts";

export interface WorldDigest {
  /** Host pid (as text) -> digest of that process; "kernel" -> the kernel-wide part. */
  readonly parts: ReadonlyMap<string, string>;
  /** All parts together. */
  readonly whole: string;
  /** What each process's and socket end's walk stopped at (readParts reads it instead of walking again). */
  readonly reach?: ReadonlyMap<string, PartReach>;
}

/** The other processes (host pids as text) and the socket ends a part's walk reached. */
interface PartReach {
  readonly procs: string[];
  readonly ends: SocketEnd[];
}

export const KERNEL_PART = "kernel";
/**
 * Pending timers and actions as "due in N ms": part of a state, but no footprint: every step
 * moves the clock on whichever event runs, and that commutes.
 */
export const TIME_PART = "time";

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/**
 * Fields that are bookkeeping, not behaviour: the kernel seam object, and the scheduler's kept
 * events and their readiness watchers (scheduler.ts; derived from the rest, or stale).
 */
const SKIPPED = new Set(["kernel", "offered", "watchers"]);

/** Canonical text of `root`; `leaf` names objects that are not walked into (other processes, namespaces). */
function canonical(root: unknown, leaf: (o: object) => string | undefined): string {
  const seen = new Map<object, number>();
  const walk = (v: unknown): string => {
    if (v === null || typeof v !== "object") return typeof v === "function" ? "fn" : v === undefined ? "u" : JSON.stringify(v);
    if (v !== root) {
      const name = leaf(v);
      if (name !== undefined) return name;
    }
    // Frozen model data is shared by copies (lifecycle/copy.ts) and is a tree: walked in full,
    // so that sharing never makes two equal states differ.
    if (!Object.isFrozen(v)) {
      const id = seen.get(v);
      if (id !== undefined) return `#${id}`;
      seen.set(v, seen.size);
    }
    if (Array.isArray(v)) return `[${v.map(walk).join(",")}]`;
    if (v instanceof Map) return `M{${[...v].map(([k, x]) => `${walk(k)}:${walk(x)}`).sort().join(",")}}`;
    if (v instanceof Set) return `S{${[...v].map(walk).sort().join(",")}}`;
    const keys = Object.keys(v).filter((k) => !SKIPPED.has(k)).sort();
    return `{${keys.map((k) => `${k}:${walk((v as Record<string, unknown>)[k])}`).join(",")}}`;
  };
  return walk(root);
}

/** Names of the objects a part's digest stops at (they are parts of their own); socket ends met are collected. */
function leafNamer(ends: Set<SocketEnd>): (o: object) => string | undefined {
  return (o) => {
    if (o instanceof SimProcess) return `proc${o.hostPid}`;
    if (o instanceof PidNamespace) return `pidns${o.inode}`;
    if (o instanceof UserNamespace) return `userns${o.inode}`;
    if (o instanceof SocketEnd) {
      ends.add(o);
      return `sock${o.inode}`;
    }
    return undefined;
  };
}

/** Pending timers and due actions as "due in N ms" (the clock's absolute time left out). */
function pendingTime(world: World): unknown {
  return { dueIn: world.clock.dueIn(), actions: world.dueActions.map((a) => a.label) };
}

export function digestWorld(world: World): WorldDigest {
  const parts = new Map<string, string>();
  const procs = world.sortedProcs();
  const ends = new Set<SocketEnd>();
  const leaf = leafNamer(ends);
  const reach = new Map<string, PartReach>();
  const walkPart = (name: string, root: object): void => {
    const reached: PartReach = { procs: [], ends: [] };
    reach.set(name, reached);
    const recording = (o: object): string | undefined => {
      const leafName = leaf(o);
      if (o instanceof SimProcess) reached.procs.push(String(o.hostPid));
      else if (o instanceof SocketEnd) reached.ends.push(o);
      return leafName;
    };
    parts.set(name, sha1(canonical(root, recording)));
  };
  for (const p of procs) walkPart(String(p.hostPid), p);
  // A socket end's part: its queue (datagrams may carry more ends: the set grows while iterated).
  for (const end of ends) walkPart(`sock${end.inode}`, end);
  const namespaces = new Set<object>();
  for (const p of procs) {
    for (const link of p.pids) namespaces.add(link.ns);
    namespaces.add(p.creds.userns);
  }
  const kernel = {
    namespaces: [...namespaces],
    sockets: world.sockets,
    inodes: world.inodes,
    sharedWords: world.sharedWords,
    cgroups: world.cgroups,
    reaped: world.allProcs.filter((p) => p.status === "reaped").map((p) => p.hostPid),
  };
  parts.set(KERNEL_PART, sha1(canonical(kernel, (o) => (o instanceof SimProcess ? `proc${o.hostPid}` : undefined))));
  parts.set(TIME_PART, sha1(canonical(pendingTime(world), () => undefined)));
  return { parts, whole: sha1([...parts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, d]) => `${k}=${d}`).join(";")), reach };
}

/**
 * The parts a step of process `hostPid` may read: its own, its parent's and its children's
 * (waitpid, getppid), every socket end it can reach (its fds, their peers, ends in flight)
 * and the kernel-wide part (its namespaces, pid and socket allocation). An over-approximation:
 * the model reaches nothing else, as the Kernel interface gives no other way (kill is unused).
 * A harness action (signal by role, reconfigure) may read any part.
 */
export function readParts(world: World, key: string, digest: WorldDigest): string[] {
  const proc = world.sortedProcs().find((p) => String(p.hostPid) === key);
  if (proc === undefined) return [...digest.parts.keys()].filter((n) => n !== TIME_PART).sort();
  const parts = new Set<string>([key, KERNEL_PART]);
  const ends = new Set<SocketEnd>();
  const own = digest.reach?.get(key);
  if (own !== undefined && digest.reach !== undefined) {
    // What the digest's walks reached: the same leaves as walking the process and its ends again.
    const addReached = (r: PartReach) => {
      for (const p of r.procs) parts.add(p);
      for (const end of r.ends) ends.add(end);
    };
    addReached(own);
    for (const end of ends) addReached(digest.reach.get(`sock${end.inode}`)!);
  } else {
    const collect = (o: object): string | undefined => {
      const name = leafNamer(ends)(o);
      if (o instanceof SimProcess) parts.add(String(o.hostPid));
      return name;
    };
    canonical(proc, collect);
    for (const end of ends) canonical(end, collect);
  }
  for (const end of ends) parts.add(`sock${end.inode}`);
  for (const p of world.allProcs) if (p.parent === proc) parts.add(String(p.hostPid));
  return [...parts].sort();
}

/** The parts but time whose digest differs between two worlds (a part present in one only counts). */
export function changedParts(before: WorldDigest, after: WorldDigest): string[] {
  const names = new Set([...before.parts.keys(), ...after.parts.keys()]);
  names.delete(TIME_PART);
  return [...names].filter((n) => before.parts.get(n) !== after.parts.get(n)).sort();
}

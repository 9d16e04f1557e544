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
  /** Each process's shallowPart (kept by digest-tracker.ts, to find the processes others' steps changed). */
  readonly shallow?: ReadonlyMap<string, string>;
}

/** The other processes (host pids as text) and the socket ends a part's walk reached. */
export interface PartReach {
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
 * Fields that are bookkeeping, not behaviour: the kernel seam object, the scheduler's kept
 * events and their readiness watchers (scheduler.ts; derived from the rest, or stale), and
 * whether a process's model state is still shared with a world copy (sim/world-fork.ts).
 */
const SKIPPED = new Set(["kernel", "offered", "offeredStale", "watchers", "stateShared"]);

/** Canonical text of `root`; `leaf` names objects that are not walked into (other processes, namespaces). */
function canonical(root: unknown, leaf: (o: object) => string | undefined): string {
  const seen = new Map<object, number>();
  const walk = (v: unknown): string => {
    if (v === null || typeof v !== "object") return primitive(v);
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
    const keys = Object.keys(v).sort();
    let text = "{";
    for (const k of keys) {
      if (SKIPPED.has(k)) continue;
      text += `${text.length === 1 ? "" : ","}${k}:${walk((v as Record<string, unknown>)[k])}`;
    }
    return `${text}}`;
  };
  return walk(root);
}

/** A value that is not an object, as JSON.stringify writes it (numbers and booleans without the call). */
function primitive(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "function":
      return "fn";
    case "undefined":
      return "u";
    default:
      return v === null ? "null" : JSON.stringify(v);
  }
}

/** Pending timers and due actions as "due in N ms" (the clock's absolute time left out). */
function pendingTime(world: World): unknown {
  return { dueIn: world.clock.dueIn(), actions: world.dueActions.map((a) => a.label) };
}

/** A process's or a socket end's part: its digest, and the other processes and socket ends its walk stopped at. */
export function digestPart(root: SimProcess | SocketEnd): { digest: string; reach: PartReach } {
  const reach: PartReach = { procs: [], ends: [] };
  const leaf = (o: object): string | undefined => {
    if (o instanceof SimProcess) {
      reach.procs.push(String(o.hostPid));
      return `proc${o.hostPid}`;
    }
    if (o instanceof PidNamespace) return `pidns${o.inode}`;
    if (o instanceof UserNamespace) return `userns${o.inode}`;
    if (o instanceof SocketEnd) {
      reach.ends.push(o);
      return `sock${o.inode}`;
    }
    return undefined;
  };
  return { digest: sha1(canonical(root, leaf)), reach };
}

/**
 * A process's part with its model state and handler position left out (named, not walked):
 * what another process's step can change of it (a signal, reparenting, a shared word, its fds'
 * ends by name). The state and position change only in the process's own steps.
 */
export function shallowPart(proc: SimProcess): string {
  const { state, position } = proc;
  return canonical(proc, (o) => {
    if (o === state) return "state";
    if (o === position) return "position";
    if (o instanceof SimProcess) return `proc${o.hostPid}`;
    if (o instanceof PidNamespace) return `pidns${o.inode}`;
    if (o instanceof UserNamespace) return `userns${o.inode}`;
    if (o instanceof SocketEnd) return `sock${o.inode}`;
    return undefined;
  });
}

/** The kernel-wide part: namespaces, socket and inode counters, shared words, reaped pids. */
export function digestKernel(world: World): string {
  const procs = world.sortedProcs();
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
  return sha1(canonical(kernel, (o) => (o instanceof SimProcess ? `proc${o.hostPid}` : undefined)));
}

/** The time part (pendingTime). */
export function digestTime(world: World): string {
  return sha1(canonical(pendingTime(world), () => undefined));
}

/** The digest of all parts together. */
export function wholeOf(parts: ReadonlyMap<string, string>): string {
  return sha1([...parts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, d]) => `${k}=${d}`).join(";"));
}

export function digestWorld(world: World): WorldDigest {
  const parts = new Map<string, string>();
  const reach = new Map<string, PartReach>();
  const ends = new Set<SocketEnd>();
  const add = (name: string, root: SimProcess | SocketEnd): void => {
    const part = digestPart(root);
    parts.set(name, part.digest);
    reach.set(name, part.reach);
    for (const end of part.reach.ends) ends.add(end);
  };
  for (const p of world.sortedProcs()) add(String(p.hostPid), p);
  // A socket end's part: its queue (datagrams may carry more ends: the set grows while iterated).
  for (const end of ends) add(`sock${end.inode}`, end);
  parts.set(KERNEL_PART, digestKernel(world));
  parts.set(TIME_PART, digestTime(world));
  return { parts, whole: wholeOf(parts), reach };
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
    const collect = (r: PartReach) => {
      for (const p of r.procs) parts.add(p);
      for (const end of r.ends) ends.add(end);
    };
    collect(digestPart(proc).reach);
    for (const end of ends) collect(digestPart(end).reach);
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

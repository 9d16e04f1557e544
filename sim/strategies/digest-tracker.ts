// The state digest (state-digest.ts) kept from one scheduling decision to the next instead
// of walking the whole world again: only the parts the steps since then may have written
// are digested again, the others are taken from the last digest. The result is the same
// digest as digestWorld's, part for part (test/strategies/digest-tracker.test.ts compares
// them at every decision of many runs, and shows that a tracker missing a change fails).
//
// What a step may write, and why the tracker's dirty parts cover it:
// - the process that stepped: its own part, all of it;
// - socket ends: a step reaches ends only through its fds and what they lead to (the peer,
//   ends in flight in a queue, their peers: a release cascades along them), which is the
//   closure of its part's reach in the last digest; new ends have no digest yet;
// - another process: not its model state nor its handler position, which only its own steps
//   change (the model runs only in its own handlers, on its own copy of the state), but
//   anything else (a signal, its parent or children, a death, a shared word, its fds): each
//   process's part without those two (shallowPart, small) is compared with the last one, and
//   a process whose shallow part changed is digested again, with the ends it reaches;
// - new processes have no digest yet; reaped ones leave the digest;
// - the kernel-wide and time parts: always digested again (they are small);
// - a harness action may touch anything: everything is digested again.

import type { Runnable } from "../scheduler.ts";
import type { SimProcess } from "../process.ts";
import { SocketEnd } from "../sockets.ts";
import type { World } from "../world.ts";
import { digestKernel, digestPart, digestTime, digestWorld, KERNEL_PART, shallowPart, TIME_PART, wholeOf, type PartReach, type WorldDigest } from "./state-digest.ts";

/** Every socket end the processes hold, by part name: their fds, their peers, ends in flight (transitively). */
function socketEnds(world: World): Map<string, SocketEnd> {
  const ends = new Map<string, SocketEnd>();
  const add = (end: SocketEnd): void => {
    const name = `sock${end.inode}`;
    if (ends.has(name)) return;
    ends.set(name, end);
    for (const other of end.pair.ends) add(other);
    for (const d of end.queue) for (const f of d.files) if (f instanceof SocketEnd) add(f);
  };
  for (const p of world.sortedProcs()) {
    for (const fd of p.fds.fds()) {
      const file = p.fds.get(fd)?.file;
      if (file instanceof SocketEnd) add(file);
    }
    if (p.releasing !== null) add(p.releasing);
  }
  return ends;
}

/**
 * The digest of `world`, taking from `base` every part not named in `dirty` (and present in
 * `base`); null when a socket end to digest again cannot be found (the caller walks everything).
 */
export function updateDigest(world: World, base: WorldDigest, dirty: ReadonlySet<string>): WorldDigest | null {
  if (base.reach === undefined) return null;
  const parts = new Map<string, string>();
  const reach = new Map<string, PartReach>();
  let current: Map<string, SocketEnd> | null = null;
  const queued = new Set<string>();
  const pending: string[] = [];
  const take = (name: string, root: () => SimProcess | SocketEnd | undefined): boolean => {
    const kept = dirty.has(name) ? undefined : base.parts.get(name);
    let r: PartReach;
    if (kept !== undefined) {
      parts.set(name, kept);
      r = base.reach!.get(name)!;
    } else {
      const object = root();
      if (object === undefined) return false;
      const part = digestPart(object);
      parts.set(name, part.digest);
      r = part.reach;
    }
    reach.set(name, r);
    for (const end of r.ends) {
      const endName = `sock${end.inode}`;
      if (!queued.has(endName)) {
        queued.add(endName);
        pending.push(endName);
      }
    }
    return true;
  };
  for (const p of world.sortedProcs()) take(String(p.hostPid), () => p);
  // Ends in the order digestWorld meets them (the order does not change the digest).
  for (let i = 0; i < pending.length; i++) {
    const name = pending[i]!;
    const found = take(name, () => (current ??= socketEnds(world)).get(name));
    if (!found) return null;
  }
  parts.set(KERNEL_PART, digestKernel(world));
  parts.set(TIME_PART, digestTime(world));
  return { parts, whole: wholeOf(parts), reach };
}

/** The socket ends a part reaches in `digest`, transitively (through ends' reaches). */
function endClosure(digest: WorldDigest, from: Iterable<string>, into: Set<string>): void {
  const stack = [...from];
  while (stack.length > 0) {
    const name = stack.pop()!;
    for (const end of digest.reach?.get(name)?.ends ?? []) {
      const endName = `sock${end.inode}`;
      if (into.has(endName)) continue;
      into.add(endName);
      stack.push(endName);
    }
  }
}

/** What happened since the last digest, as the tracker sees it. */
export interface StepLog {
  /** Host pids (as text) of the processes that stepped. */
  readonly stepped: ReadonlySet<string>;
  /** A harness action ran. */
  readonly harness: boolean;
}

/**
 * The parts that may have changed since `base`, given each process's shallowPart now; null
 * when everything must be digested again.
 */
export function dirtyParts(base: WorldDigest, shallow: ReadonlyMap<string, string>, log: StepLog): Set<string> | null {
  if (log.harness || base.shallow === undefined) return null;
  const procs = new Set(log.stepped);
  for (const [name, text] of shallow) if (base.shallow.get(name) !== text) procs.add(name);
  const dirty = new Set(procs);
  endClosure(base, procs, dirty);
  return dirty;
}

/** How the tracker chooses the parts to digest again (dirtyParts; a test swaps in a broken one). */
export type DirtyRule = typeof dirtyParts;

/**
 * Keeps the digest of one run's world between decisions: `rebase` at a decision whose digest
 * is known, `step` after every step, `digest` at the next decision or the end.
 */
export class DigestTracker {
  private base: WorldDigest | null = null;
  private readonly stepped = new Set<string>();
  private harness = false;
  /** Digests made by walking everything, and by updating the last one. */
  readonly counts = { whole: 0, updated: 0 };

  constructor(private readonly rule: DirtyRule = dirtyParts) {}

  /** A new run from the start: the next digest walks everything. */
  forget(): void {
    this.base = null;
  }

  /** The world is now the one `digest` (one of this tracker's) was made of. */
  rebase(digest: WorldDigest): void {
    this.base = digest;
    this.stepped.clear();
    this.harness = false;
  }

  /** A step ran `event`. */
  step(event: Runnable): void {
    if (event.kind === "action") this.harness = true;
    else this.stepped.add(String(event.proc.hostPid));
  }

  /** The digest of `world` now (then rebased on it). */
  digest(world: World): WorldDigest {
    // With its place among every process ever made: a reused pid is another process.
    const shallow = new Map(world.sortedProcs().map((p) => [String(p.hostPid), `${world.allProcs.indexOf(p)}|${shallowPart(p)}`]));
    let digest: WorldDigest | null = null;
    if (this.base !== null) {
      const dirty = this.rule(this.base, shallow, { stepped: this.stepped, harness: this.harness });
      if (dirty !== null) digest = updateDigest(world, this.base, dirty);
    }
    if (digest === null) {
      digest = digestWorld(world);
      this.counts.whole++;
    } else this.counts.updated++;
    const kept = { ...digest, shallow };
    this.rebase(kept);
    return kept;
  }
}

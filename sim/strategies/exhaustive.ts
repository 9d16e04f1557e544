// Bounded exhaustive search over the schedules of one small run (in the spirit of loom and
// Shuttle): a depth-first search over the scheduling decisions. A run goes on from a copy of
// the world at the deepest decision on its path where no process was inside a handler
// (sim/world-fork.ts: a generator's continuation cannot be copied, plain data can), replaying
// the recorded decisions from there; without such a decision it re-runs from the start. With
// - state hashing: a run is cut when it reaches a state (world digest plus the property
//   monitors' state) already explored with no more budget left than now; the digest is kept
//   from one decision to the next, digesting again only what the steps since may have
//   changed (digest-tracker.ts), which gives the same digest as walking the whole world;
// - partial-order reduction with sleep sets (Godefroid): after the subtree of event e is
//   explored, a sibling branch f need not explore e first again when e and f are independent:
//   neither writes a part of the world the other reads or writes. What an event writes is
//   measured (the parts of the world digest it changed, plus its own process); what it may
//   read is over-approximated from what its process can reach (state-digest.ts readParts);
// - bounds: steps per run, preemptions (switching away from a process that could have gone
//   on) and wall time (the caller's `stop`).
// Sleep sets and state hashing together are sound only when a cached state is pruned under
// a sleep set that contains the one it was explored with (Godefroid's condition), which is
// what `dominates` checks, together with the remaining preemption and step budgets.
//
// Only faults-free runs: every decision is a scheduling choice ("step").

import { createHash } from "node:crypto";

import type { Prng, ChoicePolicy } from "../random.ts";
import { processOfKey } from "../scheduler.ts";
import type { Runnable } from "../scheduler.ts";
import type { RunResult, StepObserver } from "../sim-options.ts";
import type { World } from "../world.ts";
import { forkable, forkWorld } from "../world-fork.ts";
import { DigestTracker } from "./digest-tracker.ts";
import { changedParts, digestWorld, readParts, TIME_PART, type WorldDigest } from "./state-digest.ts";

export interface ExhaustiveBounds {
  /** Steps per run (the Sim's maxSteps): a run that reaches it is a bounded leaf. */
  maxSteps: number;
  /** Preemptions per run; null: unbounded. */
  maxPreemptions: number | null;
  /** Prune states already explored. */
  hashing: boolean;
  /** Sleep-set partial-order reduction (only without a preemption bound: sleepSets). */
  por: boolean;
  /** Go on from a copy of the world where one can be made, instead of re-running the prefix from the start. */
  snapshots: boolean;
  /** Also walk the whole world at every digest and throw when the tracker's differs (tests). */
  checkDigests?: boolean;
}

/** A violation of a checked property. */
export interface Finding {
  check: string;
  reason: string;
}

/** What is searched: how to make one run, and what to check. */
export interface ExhaustiveTarget {
  /**
   * Makes one run under this observer and policy (no faults, no replay) and returns how it
   * ended, its schedule and the violations in its trace so far (it may have been cut, so only
   * prefix-closed properties belong here). With `from`, the run goes on from that world (a
   * fork of one of its own runs' worlds, made inside beforeChoice) instead of from the start.
   */
  run(control: StepObserver & ChoicePolicy, maxSteps: number, from?: World): { reason: RunResult["reason"]; steps: number; choices: readonly number[]; findings: Finding[] };
  /** The state of the checked properties' monitors, part of a state's identity. */
  monitor(world: World): string;
}

export interface ExhaustiveStats {
  /** Runs made (each a re-execution from the start or from a copy of a world on its way). */
  runs: number;
  /** Of those, runs that went on from a copy of the world (snapshots). */
  restored: number;
  /** Copies of the world kept (at decisions where no process was inside a handler). */
  snapshotsTaken: number;
  /** Steps executed over all runs (re-executed prefixes included). */
  stepsRun: number;
  /** Runs that reached an end (quiescent, step budget, model error): distinct complete schedules. */
  schedules: number;
  /** Of those, runs that ended on the step budget. */
  stepBounded: number;
  /** Runs cut at a state explored before. */
  revisits: number;
  /** Runs cut because every runnable event was asleep or over the preemption budget. */
  blocked: number;
  /** Branches not explored because they would exceed the preemption budget. */
  preemptionPruned: number;
  /** Branches not explored because of sleep sets. */
  sleepPruned: number;
  /** Distinct states met (at scheduling decisions and at run ends). */
  states: number;
  /** Most scheduling decisions in one run. */
  maxDepth: number;
  /** State digests made by walking the whole world, and by digesting again only what steps touched (digest-tracker.ts). */
  wholeDigests: number;
  updatedDigests: number;
}

export interface ExhaustiveResult {
  /** Every schedule within the bounds was explored (not stopped by time, no finding). */
  complete: boolean;
  stoppedBy: "done" | "finding" | "time";
  stats: ExhaustiveStats;
  /** The first violation found, with the schedule that replays it. */
  counterexample: { findings: Finding[]; schedule: number[] } | null;
}

/** The parts of the world (state-digest.ts) an event wrote, and those it may have read. */
interface Footprint {
  readonly writes: readonly string[];
  readonly reads: readonly string[];
}

interface Node {
  readonly keys: readonly string[];
  readonly digest: WorldDigest;
  /** Process part -> what a step of it may read here (before the event). */
  readonly reads: ReadonlyMap<string, readonly string[]>;
  readonly lastProc: string | null;
  /** Preemptions used before this node's choice. */
  readonly preemptions: number;
  readonly sleep: ReadonlyMap<string, Footprint>;
  /** Alternatives explored, with their footprints. */
  readonly done: Map<string, Footprint>;
  current: string;
  /** What `current` touched (known once the next decision or the end is reached). */
  currentFootprint: Footprint | null;
  /** The world at this decision, when it could be copied (no process inside a handler). */
  snapshot: World | null;
}

interface Visit {
  sleep: ReadonlySet<string>;
  preemptions: number;
  step: number;
}

/**
 * Whether sleep sets are used: asked for, and no preemption bound. Under a preemption bound a
 * state is also its last process and preemption count, which the two orders of independent
 * events do not share: the branch a sleep set skips may reach states the explored order could
 * not afford (one-app-two-processes-pid-isolated at 0 preemptions: 1,665 states with sleep
 * sets, 1,753 without). Bounded partial-order reduction (Coons et al., OOPSLA 2013) would fix it.
 */
export function sleepSets(bounds: Pick<ExhaustiveBounds, "por" | "maxPreemptions">): boolean {
  return bounds.por && bounds.maxPreemptions === null;
}

function disjoint(a: readonly string[], b: readonly string[]): boolean {
  return !a.some((x) => b.includes(x));
}

/** Neither event writes what the other reads or writes: the two orders give the same state. */
function independent(a: Footprint, b: Footprint): boolean {
  return disjoint(a.writes, b.writes) && disjoint(a.writes, b.reads) && disjoint(b.writes, a.reads);
}

function partOf(key: string): string {
  return processOfKey(key);
}

class Search implements StepObserver, ChoicePolicy {
  readonly stack: Node[] = [];
  private depth = 0;
  private pick = -1;
  private readonly visited = new Map<string, Visit[]>();
  private readonly distinct = new Set<string>();
  readonly stats: ExhaustiveStats = {
    runs: 0,
    restored: 0,
    snapshotsTaken: 0,
    stepsRun: 0,
    schedules: 0,
    stepBounded: 0,
    revisits: 0,
    blocked: 0,
    preemptionPruned: 0,
    sleepPruned: 0,
    states: 0,
    maxDepth: 0,
    wholeDigests: 0,
    updatedDigests: 0,
  };
  private readonly tracker = new DigestTracker();

  constructor(
    private readonly target: ExhaustiveTarget,
    private readonly bounds: ExhaustiveBounds,
  ) {}

  /**
   * Where the next run starts: a copy of the world at the deepest decision on its path that has
   * a snapshot (the run's first beforeChoice is that decision's), or the start.
   */
  startRun(): { from: World; depth: number } | null {
    this.stats.runs++;
    this.tracker.forget();
    for (let at = this.stack.length - 1; at >= 0; at--) {
      const snapshot = this.stack[at]!.snapshot;
      if (snapshot === null) continue;
      this.stats.restored++;
      this.depth = at;
      return { from: forkWorld(snapshot), depth: at };
    }
    this.depth = 0;
    return null;
  }

  choose(n: number, label: string, _rng: Prng, keys?: readonly string[]): number {
    if (label !== "step" || keys === undefined) throw new Error(`exhaustive search: unexpected ${label} choice (faults must be off)`);
    if (this.pick < 0 || this.pick >= n) throw new Error("exhaustive search: choice without a decision");
    const p = this.pick;
    this.pick = -1;
    return p;
  }

  beforeChoice(world: World, keys: readonly string[]): boolean {
    const at = this.depth++;
    this.stats.maxDepth = Math.max(this.stats.maxDepth, this.depth);
    const known = this.stack[at];
    if (known !== undefined) {
      if (known.keys.join(" ") !== keys.join(" ")) {
        throw new Error(`exhaustive search: the run is not deterministic (decision ${at}: ${keys.join(" ")} vs ${known.keys.join(" ")})`);
      }
      this.tracker.rebase(known.digest);
      this.pick = keys.indexOf(known.current);
      return true;
    }
    const digest = this.digest(world);
    const parent = this.stack[at - 1];
    if (parent !== undefined) parent.currentFootprint = this.footprint(parent, digest);
    const lastProc = parent === undefined ? null : partOf(parent.current);
    const preemptions = parent === undefined ? 0 : parent.preemptions + this.cost(parent, parent.current);
    const sleep = parent === undefined || !sleepSets(this.bounds) ? new Map<string, Footprint>() : this.childSleep(parent);
    const id = this.stateId(digest, world, lastProc);
    this.distinct.add(id);
    if (this.bounds.hashing) {
      const visit: Visit = { sleep: new Set(sleep.keys()), preemptions, step: world.step };
      const visits = this.visited.get(id) ?? [];
      if (visits.some((v) => this.dominates(v, visit))) {
        this.stats.revisits++;
        return false;
      }
      this.visited.set(id, [...visits, visit]);
    }
    const reads = new Map<string, readonly string[]>();
    for (const proc of new Set(keys.map(partOf))) reads.set(proc, readParts(world, proc, digest));
    const node: Node = { keys: [...keys], digest, reads, lastProc, preemptions, sleep, done: new Map(), current: "", currentFootprint: null, snapshot: null };
    const first = this.alternatives(node)[0];
    if (first === undefined) {
      this.stats.blocked++;
      return false;
    }
    node.current = first;
    if (this.bounds.snapshots && forkable(world)) {
      node.snapshot = forkWorld(world);
      this.stats.snapshotsTaken++;
    }
    this.stack.push(node);
    this.pick = keys.indexOf(first);
    return true;
  }

  atEnd(world: World): void {
    const digest = this.digest(world);
    this.distinct.add(this.stateId(digest, world, null));
    const top = this.stack[this.depth - 1];
    if (top !== undefined && this.depth === this.stack.length && top.currentFootprint === null) {
      top.currentFootprint = this.footprint(top, digest);
    }
  }

  stepped(_world: World, event: Runnable): void {
    this.tracker.step(event);
  }

  /** The state digest now: the tracker's, checked against a walk of the whole world when asked. */
  private digest(world: World): WorldDigest {
    const digest = this.tracker.digest(world);
    if (this.bounds.checkDigests === true) {
      const whole = digestWorld(world);
      if (whole.whole !== digest.whole) {
        const differ = [...new Set([...whole.parts.keys(), ...digest.parts.keys()])].filter((k) => whole.parts.get(k) !== digest.parts.get(k));
        throw new Error(`exhaustive search: the tracked digest differs from the whole walk at step ${world.step} (parts ${differ.join(" ")})`);
      }
    }
    return digest;
  }

  /** Moves to the next unexplored branch; false when the whole tree is done. */
  backtrack(): boolean {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return false;
      top.done.set(top.current, top.currentFootprint ?? everything(top));
      top.currentFootprint = null;
      const next = this.alternatives(top)[0];
      if (next !== undefined) {
        top.current = next;
        return true;
      }
      this.stack.pop();
    }
  }

  finishStats(): ExhaustiveStats {
    this.stats.states = this.distinct.size;
    this.stats.wholeDigests = this.tracker.counts.whole;
    this.stats.updatedDigests = this.tracker.counts.updated;
    return this.stats;
  }

  /** Branches still to explore at a node, cheapest (no preemption) first. */
  private alternatives(node: Node): string[] {
    const open: string[] = [];
    for (const key of node.keys) {
      if (node.done.has(key)) continue;
      if (node.sleep.has(key)) {
        if (node.done.size === 0) this.stats.sleepPruned++;
        continue;
      }
      if (this.bounds.maxPreemptions !== null && node.preemptions + this.cost(node, key) > this.bounds.maxPreemptions) {
        if (node.done.size === 0) this.stats.preemptionPruned++;
        continue;
      }
      open.push(key);
    }
    return open.sort((a, b) => this.cost(node, a) - this.cost(node, b));
  }

  /** 1 when `key` switches away from the process that ran last while it could go on. */
  private cost(node: Node, key: string): number {
    const last = node.lastProc;
    if (last === null || partOf(key) === last) return 0;
    return node.keys.some((k) => partOf(k) === last) ? 1 : 0;
  }

  private footprint(node: Node, after: WorldDigest): Footprint {
    const writes = new Set(changedParts(node.digest, after));
    writes.add(partOf(node.current));
    return { writes: [...writes].sort(), reads: node.reads.get(partOf(node.current)) ?? [] };
  }

  /** Sleeping events that stay asleep after `parent.current`: those independent of it. */
  private childSleep(parent: Node): Map<string, Footprint> {
    const taken = parent.currentFootprint ?? everything(parent);
    const out = new Map<string, Footprint>();
    for (const [key, fp] of [...parent.sleep, ...parent.done]) {
      if (key !== parent.current && independent(fp, taken)) out.set(key, fp);
    }
    return out;
  }

  private stateId(digest: WorldDigest, world: World, lastProc: string | null): string {
    const preemptionContext = this.bounds.maxPreemptions === null ? "" : `|last=${lastProc}`;
    return createHash("sha1").update(`${digest.whole}|${this.target.monitor(world)}${preemptionContext}`).digest("hex");
  }

  private dominates(old: Visit, now: Visit): boolean {
    if (old.step > now.step) return false;
    if (this.bounds.maxPreemptions !== null && old.preemptions > now.preemptions) return false;
    for (const k of old.sleep) if (!now.sleep.has(k)) return false;
    return true;
  }
}

/** What an event whose effect was not measured may touch: every part (dependent on all). */
function everything(node: Node): Footprint {
  const all = [...node.digest.parts.keys()].filter((n) => n !== TIME_PART);
  return { writes: all, reads: all };
}

/** Explores every schedule of the target within the bounds; `stop` is asked between runs (time budget). */
export function exhaustiveSearch(target: ExhaustiveTarget, bounds: ExhaustiveBounds, stop: () => boolean = () => false): ExhaustiveResult {
  const search = new Search(target, bounds);
  for (;;) {
    const start = search.startRun();
    const stepsBefore = start === null ? 0 : start.from.step - 1; // a fork is taken inside its step
    const run = target.run(search, bounds.maxSteps, start?.from);
    search.stats.stepsRun += run.steps - stepsBefore;
    if (run.reason !== "cut") {
      search.stats.schedules++;
      if (run.reason === "max-steps") search.stats.stepBounded++;
    }
    const findings = run.findings;
    if (findings.length > 0) {
      return { complete: false, stoppedBy: "finding", stats: search.finishStats(), counterexample: { findings, schedule: [...run.choices] } };
    }
    if (!search.backtrack()) return { complete: true, stoppedBy: "done", stats: search.finishStats(), counterexample: null };
    if (stop()) return { complete: false, stoppedBy: "time", stats: search.finishStats(), counterexample: null };
  }
}

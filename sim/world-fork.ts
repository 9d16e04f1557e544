// A copy of a whole world at a clean point, to go on from it more than once: the exhaustive
// search restores one instead of re-running its prefix from boot (sim/strategies/exhaustive.ts).
// Its cost follows what changes: the processes' model states (most of a world) are shared,
// and a process's is copied only when one of the two worlds next runs a handler of it.
//
// A process in the middle of a handler is a suspended generator, whose continuation
// JavaScript cannot copy. Between handlers a process is plain data waiting in its event loop
// (Unit's engine polls for the next event), so a world in which no process is inside a
// handler is copied whole: every process, socket end, namespace and pid allocator keeps its
// identity and class (sim/graph-copy.ts); the clock sets its pending timers again, pointing
// at the copies (clock.ts fork); the trace keeps its (never mutated) events; the chooser its
// PRNG state and schedule, with the same policy. Each process's kernel seam is made again
// when first used; its kept scheduler events are listed again.

import { NULL_FILE } from "./fds.ts";
import { GraphCopier, type FieldRule } from "./graph-copy.ts";
import { FaultInjector } from "./faults.ts";
import { uniformPolicy } from "./random.ts";
import { TraceRecorder } from "./trace.ts";
import { World } from "./world.ts";

/** Whether the world can be forked now: no process is in the middle of a handler. */
export function forkable(world: World): boolean {
  for (const proc of world.procs.values()) if (proc.running !== null) return false;
  return world.clock.forkable();
}

/** Fields copied other than by value: the harness's action code is shared; derived caches are dropped. */
function fieldRule(key: string): FieldRule {
  switch (key) {
    case "act": // HarnessAction.act: harness code that reaches the world only through its Sim argument
      return "share";
    case "kernel": // SimProcess.kernel: the seam object, made again by kernelFor
    case "offered": // SimProcess.offered: the scheduler's kept events, listed again
    case "sorted": // World.sorted: the sorted process list, rebuilt on demand
      return "drop";
    default:
      return "copy";
  }
}

/** A world that goes on exactly as `world` would from here (forkable(world) must hold). */
export function forkWorld(world: World): World {
  if (!forkable(world)) throw new Error("world fork: a process is in the middle of a handler");
  const copier = new GraphCopier(fieldRule);
  const w = Object.create(World.prototype) as World;
  copier.map(world, w);
  // The run's configuration never changes, and objects made later point into it (a new pid
  // namespace's allocator shares its limits): it stays shared, with what it holds.
  copier.map(world.config, world.config);
  for (const value of Object.values(world.config)) if (typeof value === "object" && value !== null) copier.map(value, value);
  copier.map(world.program, world.program);
  copier.map(NULL_FILE, NULL_FILE);
  // Model states are shared, not copied: both worlds mark them, and whichever starts a handler
  // of a process first copies its state then (SimProcess.ownState). Nothing outside a state
  // points into it (sends and receives copy bodies; test/sim/world-fork.test.ts checks).
  for (const proc of world.allProcs) {
    if (typeof proc.state !== "object" || proc.state === null) continue;
    proc.stateShared = true;
    copier.map(proc.state, proc.state);
  }
  copier.map(uniformPolicy, uniformPolicy);
  if (world.config.policy !== undefined) copier.map(world.config.policy, world.config.policy);
  if (world.config.replay !== undefined) copier.map(world.config.replay, world.config.replay);
  const chooser = copier.copy(world.chooser);
  const trace = new TraceRecorder(
    () => w.clock.now(),
    () => w.step,
  );
  for (const e of world.trace.events) trace.events.push(e);
  copier.map(world.trace, trace);
  Object.assign(w, {
    config: world.config,
    program: world.program,
    chooser,
    trace,
    faults: new FaultInjector(world.config.faults, chooser, trace),
    inodes: copier.copy(world.inodes),
    sockets: copier.copy(world.sockets),
    rootPidNs: copier.copy(world.rootPidNs),
    rootUserNs: copier.copy(world.rootUserNs),
    rootPlainNs: copier.copy(world.rootPlainNs),
    allProcs: copier.copy(world.allProcs),
    procs: copier.copy(world.procs),
    sorted: null,
    dueActions: copier.copy(world.dueActions),
    sharedWords: copier.copy(world.sharedWords),
    cgroups: copier.copy(world.cgroups),
    step: world.step,
    firstSpawned: copier.copy(world.firstSpawned),
  });
  Object.assign(w, { clock: world.clock.fork((due) => copier.copy(due)) });
  for (const key of Object.keys(world)) if (!(key in w)) throw new Error(`world fork: field ${key} is not copied`);
  return w;
}

// `explore --strategy branch`: exploration that goes on from rare states instead of always
// starting from boot. Every run is watched; when it reaches something no run before it had
// (a (process type, handshake state, message type) receive, or a fault of a kind at a
// handshake state), the world is copied at the next decision where no process is inside a
// handler (sim/world-fork.ts) and kept in a corpus. Once the corpus holds anything, half the
// runs (drawn from each run's seed) pick an entry by their seed, reseed the copy's chooser from
// their own seed and go on from there with fresh random choices.
//
// What a run is, for replay: a run from boot is a plain random run (its seed replays it). A
// branched run depends on the runs before it (they made the corpus), so its seed alone does
// not replay it; its whole schedule from boot does (the copy's chooser kept the prefix's
// choices), so a failing branched run is written as a repro file with that schedule, and its
// replay is `nxtsim replay --repro FILE`; its outcome names the run and step its copy was
// taken at, and the seed of the run from boot that world began as (tally.ts BranchOrigin).
// Everything is a function of the base seed and the runs made before, in order: the corpus
// lives in one thread (no --workers, no --shard).

import type { Json } from "../lifecycle/kernel.ts";
import type { Scenario } from "../catalog/scenario.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import type { FaultRates } from "../sim/index.ts";
import type { StepObserver } from "../sim/sim-options.ts";
import type { World } from "../sim/world.ts";
import { forkable, forkWorld } from "../sim/world-fork.ts";
import { RANDOM } from "../sim/strategies/index.ts";
import { attributeFailures } from "./attribution.ts";
import { checkRun, checksNamed } from "./checks.ts";
import { transitionsOf } from "./coverage.ts";
import type { ExplorePlan } from "./explore-plan.ts";
import { RunCrashed } from "./explore-run.ts";
import { drawnFaultRates, runSeed, splitmix32 } from "./explore-seeds.ts";
import { replayCommand } from "./replay-command.ts";
import { scenarioOfSlot } from "./generated.ts";
import { traceInC8d9106aCodes } from "./run-view.ts";
import { REPRO_DIR, reproCommand, writeRepro } from "./repro.ts";
import { resumeScenarioOnSim, runScenarioOnSim, type SimRun, type SimRunOptions } from "./run-sim.ts";
import { runNumber } from "./shard.ts";
import type { BranchOrigin, RunOutcome } from "./tally.ts";
import { OverBudget, runBudget, UNBOUNDED, type ExplorationClock } from "./wall-budget.ts";

/** World copies kept at most: the first ones made (novelty is rare after the first runs). */
export const MAX_CORPUS = 64;

/** A copy of a world that had just reached something new, with what its run was made of. */
interface CorpusEntry {
  /** Index of the scenario slot, and the scenario as run (a generated slot draws it from the base seed). */
  slot: number;
  scenario: Scenario;
  /** The seed and fault rates of the world's run from boot (a copy keeps its configuration). */
  seed: number;
  faults: FaultRates;
  /** The run the copy was taken in, and the step. */
  run: number;
  step: number;
  world: World;
}

/** What was new about an event, or null: a receive or a fault, keyed by the receiver's handshake state. */
function noveltyKey(e: TraceEvent, handshake: Map<number, string>): string | null {
  if (e.kind === "model" && e.event.what === "handshake") handshake.set(e.pid, e.event.step);
  else if (e.kind === "exit") handshake.delete(e.pid);
  else if (e.kind === "recv") return `${e.ptype || "?"}|${handshake.get(e.pid) ?? "-"}|${String((e.msg as { type?: unknown } | null)?.type)}`;
  else if (e.kind === "fault") return `fault|${e.fault}|${e.ptype || "?"}|${handshake.get(e.pid) ?? "-"}`;
  return null;
}

/** Reads a run's trace at each decision; after something new, offers the world at the next forkable one. */
class NoveltyWatch implements StepObserver {
  private scanned = 0;
  private readonly handshake = new Map<number, string>();
  private pending = false;

  constructor(
    private readonly seen: Set<string>,
    private readonly keep: (world: World) => void,
  ) {}

  beforeChoice(world: World): boolean {
    const events = world.trace.events;
    for (; this.scanned < events.length; this.scanned++) {
      const key = noveltyKey(events[this.scanned]!, this.handshake);
      if (key !== null && !this.seen.has(key)) {
        this.seen.add(key);
        this.pending = true;
      }
    }
    if (this.pending && forkable(world)) {
      this.pending = false;
      this.keep(world);
    }
    return true;
  }

  atEnd(): void {}
}

/** The runs of one branch exploration, made in order on this thread. */
export class BranchExplorer {
  private readonly corpus: CorpusEntry[] = [];
  private readonly seen = new Set<string>();
  /** Runs that went on from a corpus entry. */
  branched = 0;

  constructor(
    private readonly plan: ExplorePlan,
    private readonly reproDir: string = REPRO_DIR,
  ) {}

  get corpusSize(): number {
    return this.corpus.length;
  }

  /** As explore-run.ts runPlanned, for the j-th run (null: the exploration's end cut it). */
  runPlanned(j: number, clock: ExplorationClock = UNBOUNDED): RunOutcome | null {
    const plan = this.plan;
    const number = runNumber(plan.shard, j);
    const seed = runSeed(plan.baseSeed, number);
    const draw = splitmix32(seed ^ 0x6272616e); // "bran": independent of the run's other draws
    const entry = this.corpus.length > 0 && draw() % 2 === 0 ? this.corpus[draw() % this.corpus.length]! : null;
    const slot = entry?.slot ?? number % plan.scenarios.length;
    const ref = plan.refs[slot]!;
    const faults = entry?.faults ?? plan.faults ?? drawnFaultRates(plan.strategy, seed);
    const { fixes, mutants } = plan;
    const unit = plan.unit === undefined ? {} : { unit: plan.unit };
    const maxSteps = plan.maxSteps === null ? {} : { maxSteps: plan.maxSteps };
    const bootReplay = replayCommand({ seed, scenario: ref, faults, strategy: RANDOM, fixes, mutants, ...unit, ...maxSteps });
    const origin: BranchOrigin | null = entry === null ? null : { run: entry.run, step: entry.step, bootSeed: entry.seed };
    const branched = origin === null ? {} : { branched: origin };
    // What makes a branched run again when it has no repro: the same exploration, up to it.
    const notKept = origin === null ? "" : `branched run ${number}, from a copy taken in run ${origin.run} at step ${origin.step}; the same explore (its base seed, --runs ${number + 1} or more) makes it again`;
    const budget = runBudget(clock, plan.runSeconds);
    const { deadline } = budget;
    try {
      const scenario = entry?.scenario ?? scenarioOfSlot(plan.scenarios[slot]!, seed);
      const base: SimRunOptions = { seed: entry?.seed ?? seed, faults, fixes, mutants, ...unit, ...maxSteps, deadline };
      const watch = new NoveltyWatch(this.seen, (world) => {
        if (this.corpus.length < MAX_CORPUS) this.corpus.push({ slot, scenario, seed: base.seed as number, faults, run: number, step: world.step, world: forkWorld(world) });
      });
      let run: SimRun;
      if (entry === null) run = budget.guard(runScenarioOnSim(scenario, { ...base, observer: watch }));
      else {
        this.branched++;
        const world = forkWorld(entry.world);
        world.chooser.rng.reseed(`branch/${seed}`);
        run = budget.guard(resumeScenarioOnSim(world, { ...base, observer: watch }));
      }
      // A branched run is replayed from its schedule (the prefix's choices and its own).
      const schedule = entry === null ? undefined : [...run.sim.choices];
      const rerunOf = (withFixes: readonly string[]) =>
        budget.guard(runScenarioOnSim(scenario, { ...base, fixes: withFixes, ...(schedule === undefined ? {} : { replay: schedule }) }));
      const failures = attributeFailures(checkRun({ scenario, ...run }), fixes, (withFixes, asked) => checkRun({ scenario, ...rerunOf(withFixes) }, checksNamed(asked)));
      const replay =
        schedule === undefined
          ? bootReplay
          : failures.length === 0
            ? `(${notKept}; a repro is written only when it fails)`
            : reproCommand(
                writeRepro(
                  { nxtsim: "repro/1", scenario: scenario as unknown as Json, seed: base.seed as number, faults, fixes: [...fixes], mutants: [...mutants], schedule, check: failures[0]!.check, ...unit },
                  this.reproDir,
                ),
              ) + (plan.maxSteps === null ? "" : ` --max-steps ${plan.maxSteps}`);
      const transitions = transitionsOf(traceInC8d9106aCodes(run.sim.trace, plan.unit));
      return { number, scenario: ref, seed, faults, steps: run.result.steps, events: run.result.events, failures, replay, transitions, overBudget: false, ...branched };
    } catch (e) {
      if (e instanceof OverBudget) {
        const replay = origin === null ? bootReplay : `(${notKept})`;
        return e.byExploration ? null : { number, scenario: ref, seed, faults, steps: 0, events: 0, failures: [], replay, transitions: [], overBudget: true, ...branched };
      }
      const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      throw new RunCrashed(`run ${number} (${ref}, seed ${seed}) threw: ${message}; ${origin === null ? `replay: ${bootReplay}` : notKept}`);
    }
  }
}

// One run: a scenario, the lifecycle model and the simulated kernel, driven by one seed.

import { lifecycleProgram, UNITD_ENTRY } from "../lifecycle/index.ts";
import type { Json, Signal } from "../lifecycle/kernel.ts";
import { signalNumber, type Scenario, type ScenarioAction } from "../catalog/scenario.ts";
import { Sim, type ChoicePolicy, type FaultRates, type RunResult, type SimOptions, type StepObserver } from "../sim/index.ts";
import type { World } from "../sim/world.ts";
import { freezePlain } from "../lifecycle/copy.ts";
import { unitdImageFor, type ModelSwitches } from "./model-options.ts";
import { memoOn } from "../properties/memo-on.ts";
import { RoleIndex } from "./roles.ts";

export interface SimRunOptions extends ModelSwitches {
  seed: string | number;
  faults?: Partial<FaultRates>;
  maxSteps?: number;
  replay?: readonly number[];
  /** How scheduling choices are made (sim/strategies); default uniform. */
  policy?: ChoicePolicy;
  /** Step-by-step control (the exhaustive search). */
  observer?: StepObserver;
  /** The run's wall-clock deadline (harness/wall-budget.ts); a run it cuts ends as "budget". */
  deadline?: () => boolean;
  /** Checks the scheduler's kept runnable set against a rebuilt one at every step (SimOptions.checkRunnable). */
  checkRunnable?: boolean;
}

export interface SimRun {
  sim: Sim;
  result: RunResult;
  mainPid: number;
  /** The Unit version run (--unit). */
  unit?: string;
}

export function runScenarioOnSim(scenario: Scenario, options: SimRunOptions): SimRun {
  const sim = new Sim(lifecycleProgram, simOptions(scenario, options));
  const mainPid = sim.spawn(cachedImage(scenario, options), UNITD_ENTRY, {
    uid: scenario.unitd.euid,
    gid: scenario.unitd.egid,
  });
  for (const action of scenario.actions) {
    sim.at(action.at, action as unknown as Json, (s) => applyAction(s, mainPid, action));
  }
  const result = sim.run();
  return simRun(sim, result, mainPid, options.unit);
}

/**
 * The rest of a run of `scenario` from `world`, forked (sim/world-fork.ts) at a scheduling
 * decision of a run with the same options: what runScenarioOnSim would have done from there.
 */
export function resumeScenarioOnSim(world: World, options: SimRunOptions): SimRun {
  const mainPid = world.firstSpawned?.hostPid;
  if (mainPid === undefined) throw new Error("resume: the world has no unitd");
  const sim = Sim.resumeAtChoice(world, simOptionsOf(options));
  const result = sim.run();
  return simRun(sim, result, mainPid, options.unit);
}

function simRun(sim: Sim, result: RunResult, mainPid: number, unit: string | undefined): SimRun {
  const run: SimRun = { sim, result, mainPid };
  if (unit !== undefined) run.unit = unit;
  return run;
}

function simOptions(scenario: Scenario, options: SimRunOptions): SimOptions {
  const o = simOptionsOf(options);
  o.firstPid = scenario.unitd.firstPid;
  o.pidMax = scenario.unitd.pidMax;
  return o;
}

/** Only the options given, set one by one: conditional spreads are a runtime call each, every run. */
function simOptionsOf(options: SimRunOptions): SimOptions {
  const o: SimOptions = { seed: options.seed };
  if (options.faults !== undefined) o.faults = options.faults;
  if (options.maxSteps !== undefined) o.maxSteps = options.maxSteps;
  if (options.replay !== undefined) o.replay = options.replay;
  if (options.policy !== undefined) o.policy = options.policy;
  if (options.observer !== undefined) o.observer = options.observer;
  if (options.deadline !== undefined) o.deadline = options.deadline;
  if (options.checkRunnable !== undefined) o.checkRunnable = options.checkRunnable;
  return o;
}

/**
 * unitd's image per scenario object and switches, made once and frozen (spawn copies it, and
 * shares its frozen options and configuration): building it was 1.6% of a run. The scenario
 * is frozen too, so that a change to it after a run throws instead of meeting a stale image.
 */
const IMAGES = Symbol("unitd images");

function cachedImage(scenario: Scenario, switches: ModelSwitches): Json {
  const key = JSON.stringify([switches.fixes ?? [], switches.mutants ?? [], switches.unit ?? null]);
  // Kept on the scenario before it is frozen: a generated scenario lives for one run, and its
  // image in a WeakMap would be promoted with it (properties/memo-on.ts).
  const byKey = memoOn(scenario, IMAGES, () => new Map<string, Json>());
  freezePlain(scenario);
  let image = byKey.get(key);
  if (image === undefined) byKey.set(key, (image = freezePlain(unitdImageFor(scenario, switches))));
  return image;
}

function applyAction(sim: Sim, mainPid: number, action: ScenarioAction): void {
  if (action.do === "reconfigure") {
    const controller = livePids(sim, "controller", null)[0];
    if (controller !== undefined) sim.post(controller, { fn: "controllerReconfigure", arg: action.config });
    return;
  }
  if (action.do === "request") {
    const router = livePids(sim, "router", null)[0];
    if (router !== undefined) sim.post(router, { fn: "routerProcessHttpRequest", arg: { app: action.app, count: action.count, duration: action.duration } });
    return;
  }
  const target = action.target;
  const pids = target.role === "main" ? [mainPid] : livePids(sim, target.role, target.app);
  const pid = pids[target.role === "app" ? target.index : 0];
  if (pid !== undefined) sim.signal(pid, signalNumber(action.signal) as Signal);
}

/** Each run's role index, kept on its Sim, read on from where the last action left it. */
const ROLE_INDEX = Symbol("role index");

/** Live processes of a role (and app), in the order they reported their type. */
export function livePids(sim: Sim, type: string, app: string | null): number[] {
  const index = memoOn(sim, ROLE_INDEX, () => new RoleIndex());
  index.update(sim.trace);
  return index
    .roles()
    .filter((r) => r.type === type && (app === null || r.app === app) && sim.isRunning(r.pid))
    .sort((a, b) => a.since - b.since)
    .map((r) => r.pid);
}

// What the shrinker's result is told with: the fault kinds it does not need switched off
// (rate 0), what was removed from the original, and a description that says what the shrunk
// scenario is and where it comes from. properties/shrink.ts does the shrinking itself.

import type { Scenario } from "../catalog/scenario.ts";
import { parseScenario } from "../catalog/scenario-parse.ts";
import { DEFAULT_LIMITS } from "../catalog/limits.ts";
import { upstreamOf } from "./model-options.ts";
import type { Json } from "../lifecycle/kernel.ts";
import type { ShrinkInput, ShrinkResult } from "../properties/shrink.ts";
import { FAULT_KINDS, FAULT_YES, type FaultRates } from "../sim/index.ts";
import { policyFor, RANDOM } from "../sim/strategies/index.ts";
import { attributeFailures } from "./attribution.ts";
import { checkRun } from "./checks.ts";
import { runScenarioOnSim } from "./run-sim.ts";

/** A shrunk run as it is written: the shrinker's result with the fault rates it still needs. */
export interface ShrunkRun extends ShrinkResult {
  faults: FaultRates;
  /** Fault kinds of the original switched off because the failure shows without them. */
  droppedFaults: string[];
}

function scenarioOf(json: Json, input: ShrinkInput): Scenario {
  const parsed = parseScenario(json, "shrunk scenario", DEFAULT_LIMITS, upstreamOf(input));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.scenario;
}

/** The trace's name of each fault kind (sim/faults.ts). */
const FAULT_EVENT: Readonly<Record<keyof FaultRates, string>> = { cloneFail: "clone", sendFail: "send", sendLost: "send-lost", killAtStep: "kill", mapWriteFail: "map-write" };

/** A rate at which a replayed 1 is a fault and a replayed 0 is not (sim/random.ts's threshold). */
const FAULT_ON_ONE = 1 - 2 ** -20;

/** Runs longer than this many choices keep their fault kinds (a probe run per choice is too dear). */
const MAX_PROBED_CHOICES = 5000;

/**
 * The positions in `schedule` of the decision points of fault kind `kind`, in a run that
 * injected none of that kind. The kind's rate is raised so that a replayed 1 injects it and a
 * 0 does not (the run is unchanged, all its values being 0); then each 0 of the schedule is
 * replaced by 1 in turn: where the run records FAULT_YES, that was a decision of this kind.
 */
function decisionPointsOf(kind: keyof FaultRates, scenario: Scenario, input: ShrinkInput, faults: FaultRates, schedule: readonly number[]): number[] {
  const probe = (replay: readonly number[]) =>
    runScenarioOnSim(scenario, { seed: input.seed, faults: { ...faults, [kind]: FAULT_ON_ONE }, fixes: input.fixes, mutants: input.mutants, ...(input.unit === undefined ? {} : { unit: input.unit }), replay }).sim.choices;
  const points: number[] = [];
  schedule.forEach((value, j) => {
    if (value !== 0) return;
    const changed = [...schedule];
    changed[j] = 1;
    if (probe(changed)[j] === FAULT_YES) points.push(j);
  });
  return points;
}

/**
 * Switches off each fault kind the shrunk run does not need: a kind it injected no fault of is
 * set to rate 0 and its decision points are cut out of the schedule, which replays the same
 * run; that run must still fail the same check with the same cause (it is checked again).
 */
export function dropUnneededFaults(input: ShrinkInput, shrunk: ShrinkResult): ShrunkRun {
  const scenario = scenarioOf(shrunk.scenario, input);
  let faults = { ...input.faults };
  let schedule = shrunk.schedule;
  let steps = shrunk.steps;
  let reason = shrunk.violation.reason;
  const dropped: string[] = [];
  if (schedule.length > MAX_PROBED_CHOICES) return { ...shrunk, faults, droppedFaults: dropped };
  const runWith = (f: FaultRates, replay: readonly number[], fixes: readonly string[]) => runScenarioOnSim(scenario, { seed: input.seed, faults: f, fixes: [...fixes], mutants: input.mutants, ...(input.unit === undefined ? {} : { unit: input.unit }), replay });
  for (const kind of FAULT_KINDS) {
    if (faults[kind] === 0) continue;
    const injected = runWith(faults, schedule, input.fixes).sim.trace.some((e) => e.kind === "fault" && e.fault === FAULT_EVENT[kind]);
    if (injected) continue;
    const points = new Set(decisionPointsOf(kind, scenario, input, faults, schedule));
    const without = { ...faults, [kind]: 0 };
    const cut = schedule.filter((_, j) => !points.has(j));
    const again = (fixes: readonly string[]) => runWith(without, cut, fixes);
    const run = again(input.fixes);
    const failures = checkRun({ scenario, ...run }).filter((f) => f.check === shrunk.check);
    const causes = attributeFailures(failures, input.fixes, (fixes) => checkRun({ scenario, ...again(fixes) })).map((f) => f.cause);
    if (!causes.includes(shrunk.cause)) continue;
    faults = without;
    schedule = [...run.sim.choices];
    steps = run.result.steps;
    reason = failures[causes.indexOf(shrunk.cause)]!.reason;
    dropped.push(kind);
  }
  return { ...shrunk, schedule, steps, violation: { ...shrunk.violation, reason }, faults, droppedFaults: dropped };
}

/** How many choices the original run made (the shrinker's starting schedule). */
export function originalScheduleLength(input: ShrinkInput): number {
  const scenario = scenarioOf(input.scenario, input);
  const policy = policyFor(input.strategy ?? RANDOM, input.seed);
  return runScenarioOnSim(scenario, { policy, seed: input.seed, faults: input.faults, fixes: input.fixes, mutants: input.mutants, ...(input.unit === undefined ? {} : { unit: input.unit }) }).sim.choices.length;
}

interface AppShape {
  processes: number;
  namespaces: string[];
  maps: string[];
}

function appsOf(json: Json): Map<string, AppShape> {
  const apps = ((json as { config?: { applications?: Record<string, Record<string, Json>> } }).config?.applications ?? {}) as Record<string, Record<string, Json>>;
  const out = new Map<string, AppShape>();
  for (const [name, app] of Object.entries(apps)) {
    const iso = (app["isolation"] ?? {}) as Record<string, Json>;
    const processes = typeof app["processes"] === "number" ? app["processes"] : 1;
    const namespaces = Object.entries((iso["namespaces"] ?? {}) as Record<string, Json>).filter(([, on]) => on === true).map(([ns]) => ns);
    out.set(name, { processes, namespaces, maps: ["uidmap", "gidmap"].filter((m) => iso[m] !== undefined) });
  }
  return out;
}

const actionsOf = (json: Json): number => ((json as { actions?: Json[] }).actions ?? []).length;
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** What the shrinker removed, one short item each: apps, processes, namespaces, maps, actions, faults, schedule. */
export function removedItems(original: Json, shrunk: ShrunkRun, originalChoices: number): string[] {
  const before = appsOf(original);
  const after = appsOf(shrunk.scenario);
  const out: string[] = [];
  const goneApps = [...before.keys()].filter((a) => !after.has(a));
  if (goneApps.length > 0) out.push(`applications: ${goneApps.join(", ")}`);
  for (const [name, b] of before) {
    const a = after.get(name);
    if (a === undefined) continue;
    if (a.processes < b.processes) out.push(`processes of ${name}: ${b.processes} -> ${a.processes}`);
    const ns = b.namespaces.filter((n) => !a.namespaces.includes(n));
    if (ns.length > 0) out.push(`namespaces of ${name}: ${ns.join(", ")}`);
    const maps = b.maps.filter((m) => !a.maps.includes(m));
    if (maps.length > 0) out.push(`id maps of ${name}: ${maps.join(", ")}`);
  }
  const actions = actionsOf(original) - actionsOf(shrunk.scenario);
  if (actions > 0) out.push(`actions: ${actions} of ${actionsOf(original)}`);
  if (shrunk.droppedFaults.length > 0) out.push(`faults: ${shrunk.droppedFaults.join(", ")} (rate 0: the failure shows without them)`);
  if (shrunk.schedule.length < originalChoices) out.push(`schedule: ${originalChoices} -> ${shrunk.schedule.length} choices`);
  return out;
}

/** The shrunk scenario's own description: what is left, and what it was shrunk from. */
export function shrunkDescription(originalName: string, seed: number | string, shrunk: ShrunkRun): string {
  const apps = [...appsOf(shrunk.scenario)].map(
    ([name, a]) => `${name} (${a.processes === 1 ? "1 process" : `${a.processes} processes`}${a.namespaces.length === 0 ? "" : `; namespaces ${a.namespaces.join(", ")}`}${a.maps.length === 0 ? "" : `; ${a.maps.join(", ")}`})`,
  );
  const actions = actionsOf(shrunk.scenario);
  return (
    `Shrunk by nxtsim shrink from scenario ${originalName}, seed ${seed}, to a run failing ${shrunk.check}: ` +
    `${apps.length === 0 ? "no application" : `${plural(apps.length, "application")}: ${apps.join(", ")}`}; ${actions === 0 ? "no actions" : plural(actions, "action")}.`
  );
}

/** The shrunk scenario as it is written: its description rewritten. */
export function withShrunkDescription(original: Json, seed: number | string, shrunk: ShrunkRun): Json {
  const name = (original as { name?: string }).name ?? "scenario";
  return { ...(shrunk.scenario as Record<string, Json>), description: shrunkDescription(name, seed, shrunk) };
}

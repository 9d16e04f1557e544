// fast-check arbitraries for runs: a scenario "genome" (small shrinkable values that map to a
// valid Unit scenario), per-run fault rates, and a schedule (16-bit choices the simulated
// kernel replays; an exhausted schedule means "first runnable event, no fault").
//
// Every arbitrary here shrinks toward the simplest run: fewer apps and processes, namespaces
// off, fewer actions, default pids, no faults, and a schedule of zeros.

import fc from "fast-check";
import { parseScenario, type Scenario } from "../fixtures/scenario.ts";
import type { Json } from "../lifecycle/kernel.ts";
import type { FaultRates } from "../sim/index.ts";

export interface AppGenome {
  processes: number;
  credential: boolean;
  pid: boolean;
  network: boolean;
  uname: boolean;
  mount: boolean;
  maps: boolean;
}

export type ActionGenome =
  | { kind: "kill"; at: number; role: "app" | "prototype" | "router" | "controller"; app: number; index: number }
  | { kind: "remove-app"; at: number; app: number }
  | { kind: "shutdown"; at: number; signal: "SIGQUIT" | "SIGTERM" | "SIGINT" };

export interface Genome {
  firstPid: number;
  pidMax: number;
  apps: AppGenome[];
  actions: ActionGenome[];
}

const appGenome: fc.Arbitrary<AppGenome> = fc.record({
  processes: fc.integer({ min: 1, max: 3 }),
  credential: fc.boolean(),
  pid: fc.boolean(),
  network: fc.boolean(),
  uname: fc.boolean(),
  mount: fc.boolean(),
  maps: fc.boolean(),
});

const at = fc.integer({ min: 0, max: 3000 });

const actionGenome: fc.Arbitrary<ActionGenome> = fc.oneof(
  fc.record({
    kind: fc.constant("kill" as const),
    at,
    role: fc.constantFrom("app" as const, "prototype" as const, "router" as const, "controller" as const),
    app: fc.nat({ max: 3 }),
    index: fc.nat({ max: 3 }),
  }),
  fc.record({ kind: fc.constant("remove-app" as const), at, app: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant("shutdown" as const), at, signal: fc.constantFrom("SIGQUIT" as const, "SIGTERM" as const, "SIGINT" as const) }),
);

/** Host pids that start low make clashes with namespace pids (2, 3, ...) likely. */
export const genomeArb: fc.Arbitrary<Genome> = fc.record({
  firstPid: fc.constantFrom(100, 2, 3, 4, 5, 7),
  pidMax: fc.constantFrom(32768, 320),
  apps: fc.array(appGenome, { maxLength: 3 }),
  actions: fc.array(actionGenome, { maxLength: 4 }),
});

export const faultRatesArb: fc.Arbitrary<FaultRates> = fc.record({
  cloneFail: fc.constantFrom(0, 0.002, 0.01, 0.05),
  sendFail: fc.constantFrom(0, 0.002, 0.01, 0.05),
  sendLost: fc.constant(0),
  killAtStep: fc.constantFrom(0, 0.002, 0.01),
  mapWriteFail: fc.constantFrom(0, 0.01, 0.05),
});

/** A schedule: uniformly random 16-bit choices, long enough for a whole run of these scenarios. */
export const scheduleArb: fc.Arbitrary<number[]> = fc.array(fc.nat({ max: 0xffff }), { maxLength: 1500, size: "max" });

const appName = (i: number) => `app${i}`;

function appConf(g: AppGenome): Record<string, Json> {
  const conf: Record<string, Json> = { type: "python", module: "wsgi", processes: g.processes, user: "nobody" };
  const namespaces: Record<string, Json> = {};
  if (g.credential) namespaces["credential"] = true;
  if (g.pid) namespaces["pid"] = true;
  if (g.network) namespaces["network"] = true;
  if (g.uname) namespaces["uname"] = true;
  if (g.mount) namespaces["mount"] = true;
  if (Object.keys(namespaces).length === 0) return conf;
  const isolation: Record<string, Json> = { namespaces };
  if (g.credential && g.maps) {
    // Container ids 0..65535 onto host 500000..: covers nobody (65534) for a root unitd.
    isolation["uidmap"] = [{ container: 0, host: 500000, size: 65536 }];
    isolation["gidmap"] = [{ container: 0, host: 500000, size: 65536 }];
  }
  conf["isolation"] = isolation;
  return conf;
}

function config(apps: readonly (AppGenome | null)[]): Json {
  const applications: Record<string, Json> = {};
  apps.forEach((g, i) => {
    if (g !== null) applications[appName(i)] = appConf(g);
  });
  return { listeners: {}, applications };
}

/** The scenario file a genome stands for (the JSON a user would write). */
export function scenarioJsonFromGenome(g: Genome): Json {
  const live: (AppGenome | null)[] = [...g.apps];
  const actions: Json[] = [];
  const sorted = [...g.actions].sort((a, b) => a.at - b.at);
  let shutdown = false;
  for (const a of sorted) {
    if (shutdown) break;
    const present = live.flatMap((x, i) => (x === null ? [] : [i]));
    if (a.kind === "shutdown") {
      actions.push({ at: a.at, do: "signal", target: { role: "main" }, signal: a.signal });
      shutdown = true;
    } else if (a.kind === "remove-app") {
      if (present.length === 0) continue;
      live[present[a.app % present.length]!] = null;
      actions.push({ at: a.at, do: "reconfigure", config: config(live) });
    } else if (a.role === "router" || a.role === "controller" || present.length === 0) {
      actions.push({ at: a.at, do: "signal", target: { role: a.role === "controller" ? "controller" : "router" }, signal: "SIGKILL" });
    } else {
      const i = present[a.app % present.length]!;
      const target: Record<string, Json> = { role: a.role, app: appName(i) };
      if (a.role === "app") target["index"] = a.index % live[i]!.processes;
      actions.push({ at: a.at, do: "signal", target, signal: "SIGKILL" });
    }
  }
  return {
    name: "generated",
    description: "a generated scenario",
    unitd: { user: "nobody", firstPid: g.firstPid, pidMax: g.pidMax },
    config: config(g.apps),
    actions,
  };
}

/** The Unit scenario a genome stands for (checked by the same loader as scenario files). */
export function scenarioFromGenome(g: Genome): Scenario {
  const parsed = parseScenario(scenarioJsonFromGenome(g), "generated scenario");
  if (!parsed.ok) {
    // The genome is meant to give only valid scenarios: a miss is a bug of this generator.
    throw new Error(`generator produced an invalid scenario: ${parsed.error}`);
  }
  return parsed.scenario;
}

export const scenarioArb: fc.Arbitrary<Scenario> = genomeArb.map(scenarioFromGenome);

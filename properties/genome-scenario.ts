// A genome (properties/genome.ts) as the scenario file a user would write, checked by the
// same loader as scenario files (catalog/scenario-parse.ts: Unit's own validation). The mapping
// keeps every action valid where it comes: an app is named only while the configuration in
// force has it, an action that would name an app when none is left signals the router instead.

import type { Scenario } from "../catalog/scenario.ts";
import { parseScenario } from "../catalog/scenario-parse.ts";
import type { Json } from "../lifecycle/kernel.ts";
import type { ActionGenome, AppGenome, Genome, ProcessesForm, RequestGenome } from "./genome.ts";

const appName = (i: number) => `app${i}`;

/** An app slot of the configuration in force: its genome and, for an initial app, its object form. */
interface Slot {
  app: AppGenome;
  form: ProcessesForm | null;
}

function processesValue(slot: Slot): Json {
  const f = slot.form;
  return f === null ? slot.app.processes : { max: f.max, spare: Math.min(f.spare, f.max), idle_timeout: f.idleTimeout };
}

/** How many processes an app runs at most: what a signal's process index is taken modulo. */
function processCount(slot: Slot): number {
  return slot.form === null ? slot.app.processes : slot.form.max;
}

function appConf(slot: Slot): Record<string, Json> {
  const g = slot.app;
  const conf: Record<string, Json> = { type: "python", module: "wsgi", processes: processesValue(slot), user: g.user ?? "nobody" };
  const namespaces: Record<string, Json> = {};
  if (g.credential) namespaces["credential"] = true;
  if (g.pid) namespaces["pid"] = true;
  if (g.network) namespaces["network"] = true;
  if (g.uname) namespaces["uname"] = true;
  if (g.mount) namespaces["mount"] = true;
  if (Object.keys(namespaces).length === 0) return conf;
  const isolation: Record<string, Json> = { namespaces };
  if (g.credential && g.maps) {
    // Container ids 0..65535 onto host 500000..: covers every user of the default database for a root unitd.
    isolation["uidmap"] = [{ container: 0, host: 500000, size: 65536 }];
    isolation["gidmap"] = [{ container: 0, host: 500000, size: 65536 }];
  }
  conf["isolation"] = isolation;
  return conf;
}

/** The applications by slot (null: removed); slot i is named app<i>. */
function config(apps: readonly (Slot | null)[]): Json {
  const applications: Record<string, Json> = {};
  apps.forEach((g, i) => {
    if (g !== null) applications[appName(i)] = appConf(g);
  });
  return { listeners: {}, applications };
}

function signalAction(a: Extract<ActionGenome, { kind: "signal" }>, live: readonly (Slot | null)[], present: readonly number[]): Json {
  if ((a.role !== "app" && a.role !== "prototype") || present.length === 0) {
    const role = a.role === "app" || a.role === "prototype" ? "router" : a.role;
    return { at: a.at, do: "signal", target: { role }, signal: a.signal };
  }
  const i = present[a.app % present.length]!;
  const target: Record<string, Json> = { role: a.role, app: appName(i) };
  if (a.role === "app") target["index"] = a.index % processCount(live[i]!);
  return { at: a.at, do: "signal", target, signal: a.signal };
}

/** The scenario file a genome stands for (the JSON a user would write). */
export function scenarioJsonFromGenome(g: Genome, name = "generated"): Json {
  const initial: Slot[] = g.apps.map((app, i) => ({ app, form: g.processForms?.[i] ?? null }));
  const live: (Slot | null)[] = [...initial];
  const actions: Json[] = [];
  const requests: (RequestGenome & { kind: "request" })[] = (g.requests ?? []).map((r) => ({ kind: "request", ...r }));
  // A stable sort: actions of the same ms keep their genome order, requests after them.
  for (const a of [...g.actions, ...requests].sort((x, y) => x.at - y.at)) {
    const present = live.flatMap((x, i) => (x === null ? [] : [i]));
    if (a.kind === "signal") {
      actions.push(signalAction(a, live, present));
      continue;
    }
    if (a.kind === "request") {
      // Requests name an app of the configuration in force; with none left there is nobody to ask.
      if (present.length > 0) actions.push({ at: a.at, do: "request", app: appName(present[a.app % present.length]!), count: a.count, duration: a.duration });
      continue;
    }
    if (a.kind === "add-app") live.push({ app: a.conf, form: null });
    else if (present.length === 0) continue;
    else live[present[a.app % present.length]!] = a.kind === "remove-app" ? null : { app: a.conf, form: null };
    actions.push({ at: a.at, do: "reconfigure", config: config(live) });
  }
  return {
    name,
    description: "a generated scenario",
    unitd: { user: g.user ?? "nobody", firstPid: g.firstPid, pidMax: g.pidMax },
    config: config(initial),
    actions,
  };
}

/** The Unit scenario a genome stands for (checked by the same loader as scenario files). */
export function scenarioFromGenome(g: Genome, name = "generated"): Scenario {
  const parsed = parseScenario(scenarioJsonFromGenome(g, name), "generated scenario");
  if (!parsed.ok) {
    // The genome is meant to give only valid scenarios: a miss is a bug of this generator.
    throw new Error(`generator produced an invalid scenario: ${parsed.error}`);
  }
  return parsed.scenario;
}

// The one scenario generator (properties/genome.ts) makes only scenarios Unit's validation
// accepts, the same way for explore (a genome per run seed) and the property suite
// (fast-check's draws), and its genome really spans what it claims: signals of every kind
// to every role, app add/remove/change, actions at 0 ms and several in one ms.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import type { ScenarioAction } from "../../catalog/scenario.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { generatedScenarioJson, genomeForSeed } from "../../harness/generated.ts";
import { runSeed } from "../../harness/explore-seeds.ts";
import { genomeArb } from "../../properties/genome.ts";
import { scenarioJsonFromGenome } from "../../properties/genome-scenario.ts";

const SEEDS = Array.from({ length: 400 }, (_, k) => runSeed(1, k));

describe("generated scenarios", () => {
  it("every scenario explore draws from a run seed passes check (Unit's validation)", () => {
    for (const seed of SEEDS) {
      const r = parseScenario(generatedScenarioJson(seed), `seed ${seed}`);
      expect(r.ok ? "ok" : r.error).toBe("ok");
    }
  });

  it("every scenario of the property suite's draws passes check too", () => {
    for (const g of fc.sample(genomeArb, { seed: 20261124, numRuns: 400 })) {
      const r = parseScenario(scenarioJsonFromGenome(g), JSON.stringify(g));
      expect(r.ok ? "ok" : r.error).toBe("ok");
    }
  });

  it("a seed draws the same genome every time", () => {
    for (const seed of SEEDS.slice(0, 20)) expect(genomeForSeed(seed)).toEqual(genomeForSeed(seed));
  });

  it("spans every role and signal, app add/remove/change, 1 to 3 apps, unitd options, 0 ms and equal times, the object form of processes and request loads", () => {
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      const g = genomeForSeed(seed);
      seen.add(`apps ${g.apps.length}`).add(`firstPid ${g.firstPid}`).add(`pidMax ${g.pidMax}`).add(`user ${g.user}`);
      for (const a of g.actions) seen.add(a.kind === "signal" ? `${a.signal} to ${a.role}` : a.kind);
      const actions = (generatedScenarioJson(seed) as { actions: ScenarioAction[] }).actions;
      if (actions.some((a) => a.at === 0)) seen.add("at 0 ms");
      if (actions.some((a, i) => i > 0 && actions[i - 1]!.at === a.at)) seen.add("two in one ms");
      if (actions.some((a) => a.at <= 12 && a.do === "signal" && a.target.role === "main" && a.signal !== "SIGKILL")) seen.add("shutdown while booting");
      // Unit's dynamic process count: the object form (spare below max, spare 0) and request loads.
      const apps = Object.values((generatedScenarioJson(seed) as { config: { applications: Record<string, { processes: unknown }> } }).config.applications);
      for (const app of apps) {
        const p = app.processes;
        if (typeof p !== "object" || p === null) continue;
        const { max, spare } = p as { max: number; spare: number };
        seen.add("processes object");
        if (spare < max) seen.add("spare below max");
        if (spare === 0) seen.add("spare 0");
      }
      if (actions.some((a) => a.do === "request")) seen.add("request load");
    }
    const want = ["apps 1", "apps 2", "apps 3", "firstPid 2", "firstPid 100", "pidMax 320", "pidMax 32768", "user nobody", "user unit", "add-app", "remove-app", "change-app", "at 0 ms", "two in one ms", "shutdown while booting", "processes object", "spare below max", "spare 0", "request load"];
    for (const role of ["main", "controller", "router", "discovery", "prototype", "app"]) {
      for (const signal of ["SIGKILL", "SIGTERM", "SIGQUIT", "SIGINT"]) want.push(`${signal} to ${role}`);
    }
    expect(want.filter((w) => !seen.has(w))).toEqual([]);
  });
});

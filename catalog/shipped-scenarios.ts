// The shipped scenarios (fixtures/scenarios/*.json): listed, and found by name.

import { readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import type { Scenario, ScenarioResult } from "./scenario.ts";
import { displayPath, loadScenario } from "./scenario-parse.ts";

const REPO_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURES_DIR = join(REPO_DIR, "fixtures");

/** The directory of the shipped scenarios. */
export const SCENARIOS_DIR = join(FIXTURES_DIR, "scenarios");

function shippedFiles(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(SCENARIOS_DIR, f));
}

function loadShipped(file: string): ScenarioResult {
  const r = loadScenario(file);
  if (!r.ok) {
    // Name shipped files from the repository root, whatever the cwd.
    return { ok: false, error: r.error.replace(displayPath(file), relative(REPO_DIR, file)) };
  }
  return r;
}

/**
 * The shipped scenarios (fixtures/scenarios/*.json), sorted by name. A broken shipped file
 * is a bug in the repository: it throws an Error whose message is the one-line problem.
 */
export function listScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const file of shippedFiles()) {
    const r = loadShipped(file);
    if (!r.ok) throw new Error(r.error);
    out.push(r.scenario);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A shipped scenario by name. */
export function scenarioByName(name: string): ScenarioResult {
  const names: string[] = [];
  for (const file of shippedFiles()) {
    const r = loadShipped(file);
    if (r.ok && r.scenario.name === name) return r;
    if (!r.ok && basename(file, ".json") === name) return r;
    names.push(r.ok ? r.scenario.name : basename(file, ".json"));
  }
  return { ok: false, error: `no shipped scenario named "${name}" (have: ${names.sort().join(", ")})` };
}

// Time to find a known bug from fresh random seeds, and to shrink it to a minimal
// counterexample: campaigns of searchForBug (the known-bug tests' search, catalog/bug-search.ts)
// from random base seeds, each followed by shrinkRun on the run it found.

import { randomInt } from "node:crypto";

import { SEARCH_PLANS } from "../catalog/bug-search.ts";
import { loadBugFixture, runBugFixture, scenarioJson, searchForBug } from "../catalog/bugs.ts";
import type { Json } from "../lifecycle/kernel.ts";
import { shrinkRun } from "../properties/shrink.ts";
import { median, nowMs, quantile, ratioOf, type Figure, type Measure } from "./figures.ts";

const SECTION = "finding a bug";
/** Runs a campaign may take before it counts as "not found". */
const SEARCH_BUDGET = 10_000;
const TARGET_FIND_MS = 1000;
const TARGET_SHRINK_MS = 5000;

interface Campaign {
  base: number;
  runs: number;
  findMs: number;
  /** From the start of the campaign to the shrunk counterexample (null: not found). */
  shrunkMs: number | null;
  shrinkTries: number | null;
  steps: { original: number; shrunk: number } | null;
}

export function findBug(bug: string, campaigns: number): Figure[] {
  const fixture = loadBugFixture(bug);
  const plan = SEARCH_PLANS[bug];
  if (plan === undefined) throw new Error(`no search plan for bug ${bug}`);
  const draw = plan.draw(fixture);

  // Baseline: replaying the fixture's recorded run, i.e. the cost of one run when the seed is known.
  for (let i = 0; i < 5; i++) runBugFixture(fixture);
  const replays: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = nowMs();
    runBugFixture(fixture);
    replays.push(nowMs() - t);
  }

  const done: Campaign[] = [];
  for (let c = 0; c < campaigns; c++) {
    const base = randomInt(0, 2 ** 32);
    const start = nowMs();
    const found = searchForBug(fixture, { base, runs: SEARCH_BUDGET, draw });
    const findMs = nowMs() - start;
    const hit = found.hit;
    if (hit === null) {
      done.push({ base, runs: found.runs, findMs, shrunkMs: null, shrinkTries: null, steps: null });
      continue;
    }
    const shrunk = shrinkRun({
      scenario: scenarioJson(hit.scenario) as Json,
      seed: hit.seed,
      faults: hit.faults,
      fixes: fixture.fixes,
      mutants: fixture.mutants,
      check: fixture.check,
    });
    done.push({
      base,
      runs: found.runs,
      findMs,
      shrunkMs: nowMs() - start,
      shrinkTries: shrunk.tries,
      steps: { original: shrunk.originalSteps, shrunk: shrunk.steps },
    });
  }

  const foundOnes = done.filter((c) => c.shrunkMs !== null);
  const notFound = done.length - foundOnes.length;
  // A campaign that found nothing counts with its whole budget's time (a lower bound).
  const findTimes = done.map((c) => c.findMs);
  const shrunkTimes = done.map((c) => c.shrunkMs ?? Number.POSITIVE_INFINITY);
  const replay: Measure = { what: `one replay of the #${bug} fixture's recorded run (median of ${replays.length})`, value: median(replays), unit: "ms" };
  const details = {
    campaigns: done,
    notFound,
    runsToFind: { median: median(done.map((c) => c.runs)), p90: quantile(done.map((c) => c.runs), 0.9) },
    replayMs: replays,
  };
  const figure = (what: string, times: number[], q: number, target: number | null): Figure => {
    const measured: Measure = { what, value: q === 0.5 ? median(times) : quantile(times, q), unit: "ms" };
    return {
      section: SECTION,
      name: `#${bug}: ${what}`,
      measured,
      baseline: replay,
      ratio: ratioOf(measured, replay),
      ratioMeaning: "time / one known-seed replay",
      target: target === null ? null : { text: `median <= ${target / 1000} s`, met: measured.value <= target },
      details,
    };
  };
  return [
    figure(`time to first failure, median of ${campaigns} campaigns`, findTimes, 0.5, TARGET_FIND_MS),
    figure(`time to first failure, p90 of ${campaigns} campaigns`, findTimes, 0.9, null),
    figure(`time to shrunk counterexample, median of ${campaigns} campaigns`, shrunkTimes, 0.5, TARGET_SHRINK_MS),
    figure(`time to shrunk counterexample, p90 of ${campaigns} campaigns`, shrunkTimes, 0.9, null),
  ];
}

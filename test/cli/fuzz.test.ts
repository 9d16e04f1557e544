// The standing fuzz test: thousands of hostile scenario files, repro files, result files and
// argument lists, through the CLI's entry function in-process (main), and a few end to end.
// Whatever the input, nxtsim answers with its exit code and, on an error, one line: no stack
// trace, no "internal error". Bounded work is counted, not timed: a scenario nxtsim accepts
// is within its limits, and every run it reports stays within its step budget.
//
// Seeded (NXTSIM_FUZZ_SEED, default 1) so that a failure replays; NXTSIM_FUZZ=N multiplies the
// number of inputs (npm test makes about three thousand).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

import { DEFAULT_LIMITS, processesAskedFor } from "../../catalog/limits.ts";
import { SCENARIOS_DIR } from "../../catalog/shipped-scenarios.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { argvArbitrary, fileText, mutated, toText, tweaked } from "./fuzz-inputs.ts";
import { expectOneLineError, runMain, runNxtsim } from "./helpers.ts";

const SCALE = Number(process.env["NXTSIM_FUZZ"] ?? "1") || 1;
const SEED = Number(process.env["NXTSIM_FUZZ_SEED"] ?? "1");
const params = (numRuns: number) => ({ seed: SEED, numRuns: Math.round(numRuns * SCALE), endOnFailure: true });

const dir = mkdtempSync(join(tmpdir(), "nxtsim-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(text: string): string {
  const path = join(dir, `f${files++ % 16}.json`);
  writeFileSync(path, text);
  return path;
}

const shipped = (name: string): Json => JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), "utf8")) as Json;
const SCENARIOS = ["boot-only", "kill-restart-app", "one-app-isolated", "reconfigure-remove-app", "two-apps"].map(shipped);

/** Exit codes seen by the current property: the inputs must reach both sides (accepted, refused). */
let seen = new Map<number, number>();
function expectBothSides(accepted: number, refused: number): void {
  const count = (codes: number[]) => codes.reduce((n, c) => n + (seen.get(c) ?? 0), 0);
  const all = count([...seen.keys()]);
  expect(count([accepted]), JSON.stringify([...seen])).toBeGreaterThan(all / 50);
  expect(count([refused]), JSON.stringify([...seen])).toBeGreaterThan(all / 50);
  seen = new Map();
}

/** The answer to hostile input: a known exit code, and on stderr one line or nothing. */
async function answer(argv: string[], codes: readonly number[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runMain(argv);
  seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
  expect(codes, `${argv.join(" ")}: exit ${r.code}: ${r.err}`).toContain(r.code);
  expect(r.err, argv.join(" ")).not.toMatch(/internal error|^\s+at |node:internal|\.ts:\d+:\d+/m);
  if (r.err !== "") expect(r.err.split("\n").filter((l) => l !== ""), argv.join(" ")).toHaveLength(1);
  if (r.code === 2) expect(r.out).toBe("");
  return r;
}

/** Every run a report tells of stayed within its step budget. */
function expectStepsWithin(out: string, budget: number): void {
  for (const m of out.matchAll(/^steps: (\d+)/gm)) expect(Number(m[1])).toBeLessThanOrEqual(budget);
}

/** What an accepted scenario may ask for, by the default limits (the check's claim). */
function expectWithinLimits(json: Json): void {
  const s = json as { config?: Json; actions?: { config?: Json }[] };
  const configs = [s.config, ...(Array.isArray(s.actions) ? s.actions.map((a) => a.config) : [])];
  expect(Array.isArray(s.actions) ? s.actions.length : 0).toBeLessThanOrEqual(DEFAULT_LIMITS.actions);
  for (const c of configs) {
    const apps = (c as { applications?: Record<string, { processes?: unknown }> } | undefined)?.applications ?? {};
    const asked = Object.values(apps).map((a) => processesAskedFor(a?.processes));
    expect(asked.length).toBeLessThanOrEqual(DEFAULT_LIMITS.applications);
    expect(asked.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(DEFAULT_LIMITS.processes);
  }
}

describe("fuzz", () => {
  it("scenario files: check answers ok or one line", async () => {
    await fc.assert(
      fc.asyncProperty(fileText(mutated(SCENARIOS)), async (text) => {
        const r = await answer(["check", file(text)], [0, 1]);
        if (r.code === 0) {
          expect(r.out).toBe("ok\n");
          expectWithinLimits(JSON.parse(text) as Json);
        }
      }),
      params(1200),
    );
    expectBothSides(0, 1);
  });

  it("scenario files: a sample replayed stays within its step budget", async () => {
    await fc.assert(
      fc.asyncProperty(tweaked(SCENARIOS), fc.nat(1000), async (json, seed) => {
        const r = await answer(["replay", String(seed), "--scenario", file(toText(json)), "--max-steps", "400"], [0, 1, 2]);
        expectStepsWithin(r.out, 400);
      }),
      params(100),
    );
    expectBothSides(0, 2);
  });

  const repro = { nxtsim: "repro/1", scenario: SCENARIOS[1]!, seed: 5, faults: { cloneFail: 0.01 }, fixes: ["633"], mutants: [], schedule: null, check: null, strategy: { name: "pct", depth: 2, steps: 500 } } as Json;

  it("repro files: replay --repro answers a verdict or one line", async () => {
    await fc.assert(
      fc.asyncProperty(fileText(mutated([repro])), async (text) => {
        const r = await answer(["replay", "--repro", file(text)], [0, 1, 2]);
        expectStepsWithin(r.out, 20000);
      }),
      params(300),
    );
    expectBothSides(0, 2);
  });

  it("result files: merge answers a summary or one line", async () => {
    const made = await runMain(["explore", "boot-only", "two-apps", "--runs", "4", "--mutant", "600", "--no-progress", "--json", join(dir, "result.json")]);
    expect(made.code, made.err).toBeLessThanOrEqual(1);
    const result = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as Json;
    await fc.assert(
      fc.asyncProperty(fileText(mutated([result])), fc.boolean(), async (text, twice) => {
        const path = file(text);
        await answer(["merge", path, ...(twice ? [path] : [])], [0, 1, 2]);
      }),
      params(600),
    );
    expectBothSides(0, 2);
  });

  it("argument lists: an answer, never a crash", async () => {
    const scenario = file(JSON.stringify(SCENARIOS[1]));
    const files = { scenario, broken: file("{"), repro: file(JSON.stringify(repro)), result: join(dir, "result.json") };
    await fc.assert(
      fc.asyncProperty(argvArbitrary(files), async (argv) => {
        const quiet = argv[0] === "explore" ? [...argv.slice(0, 1), "--no-progress", ...argv.slice(1)] : argv;
        const r = await answer(quiet, [0, 1, 2]);
        expectStepsWithin(r.out, 20000);
      }),
      params(300),
    );
    expectBothSides(0, 2);
  });

  it("end to end, a sample: one line on stderr, nothing on stdout, no stack", async () => {
    const deep = file(`{"config":{"settings":${"[".repeat(5000)}${"]".repeat(5000)}}}`);
    const many = file(JSON.stringify({ config: { applications: { a: { type: "python", module: "wsgi", processes: 3000 } } } }));
    const badSeed = file(JSON.stringify({ ...(repro as object), seed: 1e308 }));
    const runs = await Promise.all([["check", deep], ["replay", "1", "--scenario", many], ["replay", "--repro", badSeed]].map((argv) => runNxtsim(argv, dir)));
    for (const r of runs) expectOneLineError(r);
    expect(runs.map((r) => r.code)).toEqual([1, 2, 2]);
  });
});

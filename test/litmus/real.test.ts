// The litmus suite on the real kernel, in chaos mode: every outcome a real run shows must be
// one Linux allows (the real kernel reaches a subset of the set; sim.test.ts shows the sim
// reaches all of it). Prints a table of what each litmus showed. Nothing is left behind: no
// process, zombie, fd or temporary file.

import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, expect, test } from "vitest";

import { childPids, describeReal, openFds } from "../real/native-helpers.ts";
import { outcomeKey, type Litmus } from "./litmus.ts";
import { DEFAULT_CHAOS_US, PARALLEL_RUNS, REAL_RUNS, realOutcomes, type RealOutcomes } from "./real-runs.ts";
import { LITMUS } from "./suite.ts";

const REAL_DIR = fileURLToPath(new URL("../../real/", import.meta.url));

interface Row {
  litmus: Litmus;
  real: RealOutcomes;
}

function describeRow({ litmus, real }: Row): string {
  const allowed = litmus.allowed.map((a) => outcomeKey(a.outcome));
  const seen = allowed.filter((k) => real.counts.has(k));
  const sim = litmus.departure === undefined ? "exact" : "departs";
  const counts = [...real.counts].map(([k, n]) => `${k} ×${n}`).join("; ");
  const chaos = litmus.chaosMaxUs ?? DEFAULT_CHAOS_US;
  return `| ${litmus.name} | ${allowed.length} | ${sim} | ${REAL_RUNS} | ${chaos} | ${seen.length}/${allowed.length} | ${counts} | ${(real.wallMs / 1000).toFixed(1)} s |`;
}

function printTable(rows: readonly Row[], wallMs: number): void {
  const head = [
    `Litmus on the real kernel: ${REAL_RUNS} runs each, ${PARALLEL_RUNS} at a time, in ${(wallMs / 1000).toFixed(1)} s`,
    "| litmus | allowed | sim | runs | chaos µs | allowed seen | outcomes seen (count) | time |",
    "|---|---|---|---|---|---|---|---|",
  ];
  console.log([...head, ...rows.map(describeRow)].join("\n"));
}

describeReal("litmus on the real kernel (chaos mode)", () => {
  const rows: Row[] = [];
  let fdsBefore: string[] = [];
  let start = 0;

  beforeAll(async () => {
    // The first run builds the bundle and opens it for good: the baseline comes after it.
    await realOutcomes(LITMUS[0]!, 1);
    fdsBefore = openFds();
    start = performance.now();
  });

  afterAll(() => {
    if (rows.length > 0) printTable(rows, performance.now() - start);
  });

  for (const litmus of LITMUS) {
    test(`${litmus.name}: every outcome seen is allowed`, async () => {
      const real = await realOutcomes(litmus);
      rows.push({ litmus, real });
      expect(real.failures).toEqual([]);
      const allowed = new Set(litmus.allowed.map((a) => outcomeKey(a.outcome)));
      expect([...real.counts.keys()].filter((k) => !allowed.has(k)), "outcomes Linux does not allow").toEqual([]);
      expect(childPids()).toEqual([]);
    });
  }

  test("nothing is left behind: no child, no fd, no temporary file", () => {
    expect(childPids()).toEqual([]);
    expect(openFds()).toEqual(fdsBefore);
    expect(readdirSync(REAL_DIR).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

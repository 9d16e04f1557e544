// explore skips an attribution rerun whose fixes the run never asked about (lifecycle/options.ts
// recordingAskedFixes): that rerun would be the run itself. Sound only if a repair's switch is
// read through hasFix alone, which the source test checks; the runs show it on the model.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { checkRun } from "../../harness/checks.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { drawnFaultRates, runSeed } from "../../harness/explore-seeds.ts";
import { KNOWN_FIXES, recordingAskedFixes } from "../../lifecycle/options.ts";
import { RANDOM } from "../../sim/strategies/index.ts";
import { REPO_ROOT, tsFilesUnder } from "../source-files.ts";

it("the model reads a repair's switch (ModelOptions.fixes) in hasFix only", () => {
  const reads = [...tsFilesUnder("lifecycle"), ...tsFilesUnder("sim")].flatMap((file) =>
    readFileSync(join(REPO_ROOT, file), "utf8")
      .split("\n")
      .flatMap((line, i) => (/\bfixes\b/.test(line) && !/^\s*(\/\/|\*|\/\*\*)/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(reads).toEqual([
    expect.stringMatching(/^lifecycle\/options\.ts:\d+: fixes: FixName\[\];$/),
    expect.stringMatching(/^lifecycle\/options\.ts:\d+: if \(options\.fixes\.length === 0 && options\.upstream\.length === 0\) return false;$/),
    expect.stringMatching(/^lifecycle\/options\.ts:\d+: return options\.fixes\.includes\(fix\);$/),
  ]);
});

it("a run with a fix it never asked about switched on is the same run, trace and failures", () => {
  const scenarios = listScenarios();
  let skippable = 0;
  let asked = 0;
  for (let n = 0; n < 2 * scenarios.length; n++) {
    const scenario = scenarios[n % scenarios.length]!;
    const seed = runSeed(1, n);
    const o = { seed, faults: drawnFaultRates(RANDOM, seed) };
    const recorded = recordingAskedFixes(() => runOnce(scenario, o));
    const trace = JSON.stringify(recorded.value.sim.trace);
    const failures = checkRun({ scenario, ...recorded.value });
    for (const fix of KNOWN_FIXES) {
      if (recorded.canChange(fix)) {
        asked++;
        continue;
      }
      skippable++;
      const fixed = runOnce(scenario, { ...o, fixes: [fix] });
      expect(JSON.stringify(fixed.sim.trace), `${scenario.name} seed ${seed} --fix ${fix}`).toBe(trace);
      expect(checkRun({ scenario, ...fixed })).toEqual(failures);
    }
  }
  expect(skippable).toBeGreaterThan(0);
  expect(asked).toBeGreaterThan(0);
});

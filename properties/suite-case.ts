// A property-suite case from fast-check's seed and path, as a failure of npm test prints
// them: the generated (scenario, faults, schedule) at that path, found by replaying the
// suite's own property with { seed, path } (fast-check walks the path without searching).

import fc from "fast-check";

import type { FaultRates } from "../sim/index.ts";
import { faultRatesArb, genomeArb, scheduleArb, type Genome } from "./generators.ts";
import { suiteRun, type SuiteOptions } from "./suite.ts";

/** What test/properties/suite.test.ts runs: c8d9106a with #633's upstream fix. */
export const SUITE_OPTIONS: SuiteOptions = { fixes: ["633"] };

export interface SuiteCase {
  genome: Genome;
  faults: FaultRates;
  schedule: number[];
}

/** The case at `path` for `seed`; throws when the path does not name a case. */
export function suiteCaseAt(seed: number, path: string): SuiteCase {
  if (!/^\d+(:\d+)*$/.test(path)) throw new Error(`--path must be fast-check's path, numbers joined by ":", got "${path}"`);
  // The first case run is the one the path's first number names; a failing path then walks
  // its shrink steps, each a failing case, the last being the counterexample printed.
  let first: SuiteCase | null = null;
  let lastFailing: SuiteCase | null = null;
  fc.check(
    fc.property(genomeArb, faultRatesArb, scheduleArb, (genome, faults, schedule) => {
      const c = { genome, faults, schedule };
      first ??= c;
      const ok = suiteRun(genome, faults, schedule, SUITE_OPTIONS).violations.length === 0;
      if (!ok) lastFailing = c;
      return ok;
    }),
    { seed, path, numRuns: 1, endOnFailure: true },
  );
  const found = lastFailing ?? first;
  if (found === null) throw new Error(`no suite case at path "${path}" for seed ${seed}`);
  return found;
}

// Re-records the trace hash of every known-bug fixture (fixtures/bugs/*.json) after a model
// change that alters traces (new trace events, for instance). It refuses to record a run
// that no longer fails its fixture's check with a matching reason: the bug must still show.
// With --search-seed, a fixture whose recorded seed no longer shows its bug (the schedule
// changed) moves to the first seed above it whose run fails the check with a matching reason
// and passes once the bug is taken out (review the diff: the note must still hold).
//
//   npx tsx scripts/rehash-bug-fixtures.ts                # rewrite the files, print old -> new
//   npx tsx scripts/rehash-bug-fixtures.ts --search-seed  # also move a fixture to a new seed
//   npx tsx scripts/rehash-bug-fixtures.ts --search-seed --seeds 20000  # search further (a rare bug)
//   npx tsx scripts/rehash-bug-fixtures.ts --check        # only report; exit 1 if any is stale

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUGS_DIR, listBugFixtures, loadBugFixture, reasonsOf, runBugFixture, withoutBug, type BugFixture } from "../catalog/bugs.ts";

const seedsAt = process.argv.indexOf("--seeds");
const SEARCH_SEEDS = seedsAt < 0 ? 200 : Number(process.argv[seedsAt + 1]);
if (!Number.isInteger(SEARCH_SEEDS) || SEARCH_SEEDS <= 0) throw new Error("--seeds takes a positive integer");
const checkOnly = process.argv.includes("--check");
const searchSeed = process.argv.includes("--search-seed");

/** The run's hash when `fixture` (at its seed) shows its bug as recorded, and not without it. */
function showsBug(fixture: BugFixture, needCleanPass: boolean): string | null {
  const { violations, run } = runBugFixture(fixture);
  const reasons = reasonsOf(fixture, violations);
  if (reasons.length === 0 || !reasons.every((r) => fixture.reason.test(r)) || run.result.reason !== "quiescent") return null;
  if (needCleanPass) {
    const clean = runBugFixture(fixture, withoutBug(fixture));
    if (reasonsOf(fixture, clean.violations).length > 0 || reasonsOf(fixture, clean.violations, "no-crash").length > 0) return null;
  }
  return run.sim.traceHash();
}

let stale = 0;
let failed = false;
for (const name of listBugFixtures()) {
  const fixture = loadBugFixture(name);
  let seed = fixture.seed;
  let hash = showsBug(fixture, false);
  for (let s = fixture.seed + 1; hash === null && searchSeed && s < fixture.seed + SEARCH_SEEDS; s++) {
    hash = showsBug({ ...fixture, seed: s }, true);
    if (hash !== null) seed = s;
  }
  if (hash === null) {
    console.error(`#${name}: the recorded run no longer fails ${fixture.check} as recorded; not re-hashed`);
    failed = true;
    continue;
  }
  if (hash === fixture.traceHash && seed === fixture.seed) {
    console.log(`#${name}: unchanged ${hash}`);
    continue;
  }
  stale++;
  console.log(`#${name}: seed ${fixture.seed} -> ${seed}, ${fixture.traceHash} -> ${hash}`);
  if (checkOnly) continue;
  const path = join(BUGS_DIR, `${name}.json`);
  const text = readFileSync(path, "utf8");
  // Replace in place so the file's layout and key order stay as written.
  writeFileSync(path, text.replace(`"traceHash": "${fixture.traceHash}"`, `"traceHash": "${hash}"`).replace(`"seed": ${fixture.seed},`, `"seed": ${seed},`));
}
process.exitCode = failed || (checkOnly && stale > 0) ? 1 : 0;

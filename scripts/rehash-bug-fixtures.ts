// Re-records the trace hash of every known-bug fixture (fixtures/bugs/*.json) after a model
// change that alters traces (new trace events, for instance). It refuses to record a run
// that no longer fails its fixture's check with a matching reason: the bug must still show.
//
//   npx tsx scripts/rehash-bug-fixtures.ts          # rewrite the files, print old -> new
//   npx tsx scripts/rehash-bug-fixtures.ts --check  # only report; exit 1 if any is stale

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUGS_DIR, listBugFixtures, loadBugFixture, reasonsOf, runBugFixture } from "../fixtures/bugs.ts";

const checkOnly = process.argv.includes("--check");
let stale = 0;
let failed = false;
for (const name of listBugFixtures()) {
  const fixture = loadBugFixture(name);
  const { violations, run } = runBugFixture(fixture);
  const reasons = reasonsOf(fixture, violations);
  if (reasons.length === 0 || !reasons.every((r) => fixture.reason.test(r))) {
    console.error(`#${name}: the recorded run no longer fails ${fixture.check} as recorded; not re-hashed`);
    failed = true;
    continue;
  }
  const hash = run.sim.traceHash();
  if (hash === fixture.traceHash) {
    console.log(`#${name}: unchanged ${hash}`);
    continue;
  }
  stale++;
  console.log(`#${name}: ${fixture.traceHash} -> ${hash}`);
  if (checkOnly) continue;
  const path = join(BUGS_DIR, `${name}.json`);
  const text = readFileSync(path, "utf8");
  // Replace the hash in place so the file's layout and key order stay as written.
  writeFileSync(path, text.replace(`"traceHash": "${fixture.traceHash}"`, `"traceHash": "${hash}"`));
}
process.exitCode = failed || (checkOnly && stale > 0) ? 1 : 0;

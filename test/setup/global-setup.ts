// Nothing a test run makes in the temporary folder may outlive it. The run gets a folder of
// its own (TMPDIR, which os.tmpdir() reads in the test workers and in every process they
// start); at the end it must be empty, or the run fails naming what was left. A private
// folder, not a before/after listing of /tmp, because other test runs on the same machine
// make and remove nxtsim-* folders there at the same time.

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "nxtsim-testrun-"));
  const previous = process.env["TMPDIR"];
  process.env["TMPDIR"] = dir;
  return () => {
    if (previous === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = previous;
    // tsx's compile cache (tsx-<uid>, made by the nxtsim processes tests start) is no test's.
    const left = readdirSync(dir).filter((name) => !/^tsx-\d+$/.test(name)).sort();
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      // vitest only logs an error thrown here and exits 0: the exit code is set as well.
      process.exitCode = 1;
      throw new Error(`tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in the temporary folder: ${left.join(", ")}`);
    }
  };
}

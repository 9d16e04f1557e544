// A cancelled job takes its real runs with it. CI often signals only the job's top process:
// here the `sh -c` of a script line, or npm over the `sh -c` npx runs nxtsim in (`npm exec -c`).
// SIGTERM, SIGINT or SIGKILL to that one process, in the middle of a real run, and then
// nothing of the job is left: no process (the shells, nxtsim, every real process of its runs;
// zombies included) and nothing in its temporary folder (cli/lifeline.ts). npm's SIGTERM and
// SIGINT reach the `sh -c` as the first two cases' do; test/cli/lifeline.test.ts has them all.

import { expect, test } from "vitest";

import { REPO } from "../cli/helpers.ts";
import { startJob, tmpLeft, until, type Top } from "../cli/job-processes.ts";
import { describeReal } from "./native-helpers.ts";

const CASES: [Top, NodeJS.Signals][] = [
  ["sh", "SIGTERM"],
  ["sh", "SIGINT"],
  ["sh", "SIGKILL"],
  ["npm", "SIGKILL"],
];
const TOPS: Record<Top, string> = { sh: "sh -c", npm: "npm exec -c, as npx runs it" };

describeReal("real runs never outlive their job", () => {
  for (const [top, signal] of CASES) {
    test(`${signal} to the top process (${TOPS[top]}) leaves nothing`, async () => {
      const job = startJob(top, ["explore", "--backend", "real", "--runs", "100", "boot-only"], REPO);
      try {
        // Mid-run: the run's init, main and main's first children are up.
        expect(await until(() => job.runProcesses().length >= 4, 60_000)).toBe(true);
        job.top.kill(signal);
        // A bound, not a timing: on a loaded machine the last process may take over 15 s to go.
        expect(await until(() => job.left().length === 0, 60_000), `left: ${job.describeLeft()}`).toBe(true);
        await job.top;
        expect(tmpLeft(job)).toEqual([]);
      } finally {
        job.dispose();
      }
    });
  }
});

// nxtsim never outlives the job that started it (cli/lifeline.ts). CI often signals only the
// job's top process: here the `sh -c` of a script line, or npm over the `sh -c` npx runs
// nxtsim in (`npm exec -c`: npm passes SIGTERM and SIGINT to that shell, which dies of the one
// and defers the other; SIGKILL reaches no one below npm). Whichever signal, explore on worker
// threads stops as if signalled itself: it reports the runs it made, its --json result says
// "interrupted", and no process of the job is left (test/real/job-lifeline.test.ts: real runs).

import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { readResultFile } from "../../harness/result-file.ts";
import { scratchDir } from "./helpers.ts";
import { startJob, tmpLeft, until, type Top } from "./job-processes.ts";

const scratch = scratchDir();

const CASES: [Top, NodeJS.Signals, NodeJS.Signals][] = [
  // [top, signal to it, the signal nxtsim stops with]
  ["sh", "SIGTERM", "SIGTERM"],
  ["sh", "SIGINT", "SIGINT"],
  ["sh", "SIGKILL", "SIGTERM"],
  ["npm", "SIGINT", "SIGINT"],
  ["npm", "SIGKILL", "SIGTERM"],
];

describe("explore stops with its job", () => {
  for (const [top, signal, stopsWith] of CASES) {
    it(`${signal} to the top process (${top === "sh" ? "sh -c" : "npm exec -c, as npx runs it"}): stops as on ${stopsWith}, reports, leaves nothing`, async () => {
      const dir = join(scratch, `${top}-${signal}`);
      mkdirSync(dir);
      const job = startJob(top, ["explore", "--time", "30", "--workers", "2", "--seed", "3", "--json", "result.json"], dir);
      try {
        // Not a TTY: a progress line per tenth of the budget (3 s); the first shows runs were made.
        await new Promise<void>((resolve) => job.top.stderr!.on("data", (d: Buffer) => d.toString().includes("progress:") && resolve()));
        job.top.kill(signal);
        // A bound, not a timing: on a loaded machine the last process may take over 15 s to go.
        expect(await until(() => job.left().length === 0, 60_000), `left: ${job.describeLeft()}`).toBe(true);
        const r = await job.top;
        expect(String(r.stderr).trim().split("\n").at(-1)).toMatch(new RegExp(`^nxtsim: interrupted \\(${stopsWith}\\) after \\d+ runs; the summary and the --json file cover them$`));
        expect(String(r.stdout)).toContain("stopped by an interrupt");
        expect(readdirSync(dir)).toEqual(["result.json"]);
        expect(readResultFile(join(dir, "result.json")).stoppedBy).toBe("interrupted");
        expect(tmpLeft(job)).toEqual([]);
      } finally {
        job.dispose();
      }
    });
  }
});

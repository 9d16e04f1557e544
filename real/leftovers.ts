// What a run might leave behind, for the "nothing left behind" tests and checks: processes
// (zombies included) carrying the run's id, found through /proc/<pid>/environ.

import { readdirSync, readFileSync } from "node:fs";

import { RUN_ID_ENV } from "./child-command.ts";

/** Host pids of processes whose environment names the run `runId`. */
export function processesOfRun(runId: string): number[] {
  const marker = `${RUN_ID_ENV}=${runId}\0`;
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "latin1").includes(marker)) out.push(Number(name));
    } catch {
      /* gone, or a zombie whose environ cannot be read */
    }
  }
  return out;
}

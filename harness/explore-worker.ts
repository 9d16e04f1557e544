// An exploration worker thread: gets the plan as workerData, then makes the chunks of runs the
// main thread asks for and answers each with its tally (harness/workers.ts is the other side).

import { parentPort, workerData } from "node:worker_threads";

import type { ExplorePlan } from "./explore-plan.ts";
import { runChunk } from "./explore-run.ts";
import type { ChunkRequest, WorkerReply } from "./workers.ts";

const plan = workerData as ExplorePlan;
const port = parentPort!;

/**
 * NXTSIM_TEST_WORKER_FAULT="throw@K" or "exit@K": the worker that gets run K throws, or exits
 * abruptly, there. Only for the tests of how worker failures surface.
 */
function injectedFault(from: number, to: number): void {
  const m = /^(throw|exit)@(\d+)$/.exec(process.env["NXTSIM_TEST_WORKER_FAULT"] ?? "");
  const j = m === null ? -1 : Number(m[2]);
  if (m === null || j < from || j >= to) return;
  if (m[1] === "exit") process.exit(3);
  throw new Error(`injected fault at run ${j} (NXTSIM_TEST_WORKER_FAULT)`);
}

port.on("message", (request: ChunkRequest) => {
  let reply: WorkerReply;
  try {
    injectedFault(request.from, request.to);
    // Date.now: the one clock the main thread and the workers share.
    const done = runChunk(plan, request.from, request.to, { now: () => Date.now(), endsAt: request.endsAt });
    reply = { kind: "done", from: request.from, to: done.to, cut: done.to < request.to, tally: done.tally };
  } catch (e) {
    reply = { kind: "failed", message: (e instanceof Error ? e.message : String(e)).split("\n")[0]! };
  }
  port.postMessage(reply);
});

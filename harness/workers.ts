// Exploration on worker threads. The main thread hands out the shard's runs in order, in small
// chunks, to whichever worker has room (each holds two, so it never waits for the next); each
// worker answers with the tally of its chunk and the main thread merges tallies
// (harness/tally.ts), so the result depends on the set of runs made,
// never on how many workers made them or in which order they finished. Every chunk handed out
// is finished, so the runs made are always the shard's first ones, even on a time budget.
//
// On a time budget the workers cut their run in progress when the time is up (Date.now, an
// end the main thread gives with each chunk); a chunk cut short ends the result's runs there,
// so that they are still the shard's first ones. Should a worker not answer soon after the
// end, it is terminated and its chunk is not counted.
//
// A worker that fails (a run that throws, a worker that dies) ends the exploration with one
// error naming it. An abort signal (Ctrl-C) stops handing out chunks; the chunks under way are
// finished (a fraction of a second) so that the result, stopped by "interrupted", still holds
// the shard's first runs. Nothing waits forever.

import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import { bundleOnce } from "./bundle.ts";
import { prepareExploration, type ExploreOptions } from "./explore-plan.ts";
import { progressOf, resultOf, type ExploreResult } from "./explore-result.ts";
import { haveRegisteredChecks } from "./checks.ts";
import { UsageError } from "./model-options.ts";
import { emptyTally, mergeTallies, type Tally } from "./tally.ts";

/** More threads than this is a typo, not a plan. */
export const MAX_WORKERS = 64;
/** Runs per chunk on a time budget: a budget is overshot by at most one chunk per worker. */
const TIME_CHUNK = 8;
/** Most runs per chunk on a run budget (about 0.1 to 0.3 s of work). */
const MAX_CHUNK = 32;
/**
 * Chunks each worker holds at once: the next is queued in the worker while it makes one, so it
 * never waits for the main thread's answer (a round trip per chunk on a loaded machine).
 */
const QUEUED_PER_WORKER = 2;

const ENTRY = new URL("./explore-worker.js", import.meta.url);

/**
 * Builds the bundle the worker entry loads (once per process). It lives in harness/, so
 * import.meta.url-relative paths of harness/ modules hold in it; no module a worker runs
 * locates files that way (the plan carries the parsed scenarios).
 */
function workerBundle(): void {
  bundleOnce(fileURLToPath(new URL("./explore-worker.ts", import.meta.url)), fileURLToPath(new URL("./explore-worker.bundle.mjs", import.meta.url)), {
    externalPackages: true,
  });
}

/** How long past a time budget the main thread waits for the workers' cut chunks. */
const GRACE_MS = 2000;

/** Main thread to worker: make the shard's runs from..to-1, stopping at endsAt (Date.now ms) if given. */
export interface ChunkRequest {
  from: number;
  to: number;
  endsAt: number | null;
}

/** Worker to main thread: `to` is where the chunk stopped (before the requested one when cut). */
export type WorkerReply = { kind: "done"; from: number; to: number; cut: boolean; tally: Tally } | { kind: "failed"; message: string };

/**
 * The next chunk's size: on a run budget a share of the runs left (guided scheduling), so
 * chunks shrink to one run near the end and the workers finish together instead of one
 * idling while the other makes a whole last chunk.
 */
function chunkSize(runsLeft: number | null, workers: number): number {
  if (runsLeft === null) return TIME_CHUNK;
  return Math.max(1, Math.min(MAX_CHUNK, Math.ceil(runsLeft / (workers * 4))));
}

export function checkWorkers(workers: number, shown = String(workers), what = "workers"): number {
  if (!(Number.isSafeInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) {
    throw new UsageError(`${what} must be an integer from 1 to ${MAX_WORKERS}, got "${shown}"`);
  }
  return workers;
}

/** Explores on `workers` worker threads; same result as explore() apart from timing. */
export async function exploreOnWorkers(
  options: ExploreOptions,
  workers: number,
  signal?: AbortSignal,
): Promise<ExploreResult> {
  checkWorkers(workers);
  if (haveRegisteredChecks()) throw new UsageError("checks registered with registerCheck apply in the main thread only: explore without workers");
  const prepared = prepareExploration(options);
  const { plan, runsLimit, timeLimitMs } = prepared;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const spawn = runsLimit === null ? workers : Math.min(workers, runsLimit);

  const endsAt = timeLimitMs === null ? null : Date.now() + timeLimitMs;
  /** Finished chunks by first run; the result holds the unbroken run of them from run 0. */
  const chunks = new Map<number, { to: number; tally: Tally }>();
  let progress = emptyTally(plan.refs);
  let next = 0;
  let busy = 0;
  let stoppedBy: ExploreResult["stoppedBy"] = "runs";
  let settled = false;
  const pool: Worker[] = [];

  return new Promise<ExploreResult>((resolve, reject) => {
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(backstop);
      if (signal?.aborted) stoppedBy = "interrupted";
      const result = resultOf(prepared, unbrokenTally(chunks, emptyTally(plan.refs)), stoppedBy, { wallMs: now() - start, workers });
      void Promise.allSettled(pool.map((w) => w.terminate())).then(() =>
        error === undefined ? resolve(result) : reject(error),
      );
    };
    const onAbort = (): void => {
      if (busy === 0) finish();
    };

    /** Gives the worker the next chunk; false when there is none (budget spent). */
    const handOut = (worker: Worker): boolean => {
      if (signal?.aborted || (runsLimit !== null && next >= runsLimit)) return false;
      if (timeLimitMs !== null && now() - start >= timeLimitMs) {
        stoppedBy = "time";
        return false;
      }
      const to = next + chunkSize(runsLimit === null ? null : runsLimit - next, workers);
      worker.postMessage({ from: next, to, endsAt } satisfies ChunkRequest);
      next = to;
      busy++;
      return true;
    };

    // Workers cut their runs at the end themselves; this only ends a wait for one that does not answer.
    const backstop = timeLimitMs === null ? undefined : setTimeout(() => {
      stoppedBy = "time";
      finish();
    }, timeLimitMs + GRACE_MS);
    if (signal?.aborted) return finish();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (spawn === 0) return finish();
    workerBundle();

    for (let i = 1; i <= spawn; i++) {
      const worker = new Worker(ENTRY, { workerData: plan });
      pool.push(worker);
      worker.on("message", (reply: WorkerReply) => {
        if (settled) return;
        if (reply.kind === "failed") return finish(new Error(`worker ${i}: ${reply.message}`));
        busy--;
        chunks.set(reply.from, { to: reply.to, tally: reply.tally });
        if (reply.cut) stoppedBy = "time";
        progress = mergeTallies(progress, reply.tally);
        options.onProgress?.(progressOf(prepared, progress, now() - start));
        if (!handOut(worker) && busy === 0) finish();
      });
      worker.on("error", (e) => finish(new Error(`worker ${i} failed: ${e.message.split("\n")[0]}`)));
      worker.on("exit", (code) => finish(new Error(`worker ${i} exited unexpectedly (exit code ${code})`)));
      for (let q = 0; q < QUEUED_PER_WORKER && handOut(worker); q++);
    }
    // A time budget may run out while the workers start: then no chunk was handed out at all.
    if (busy === 0) finish();
  });
}

/** The chunks' tallies merged from run 0 up to the first gap or the first chunk cut short. */
export function unbrokenTally(chunks: ReadonlyMap<number, { to: number; tally: Tally }>, empty: Tally): Tally {
  let tally = empty;
  for (let from = 0; ; ) {
    const chunk = chunks.get(from);
    if (chunk === undefined) return tally;
    tally = mergeTallies(tally, chunk.tally);
    if (chunk.to === from) return tally;
    from = chunk.to;
  }
}

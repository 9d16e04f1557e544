// Progress of an exploration on stderr: a live bar on a terminal, a plain line per tenth
// of the work otherwise (CI logs, pipes). Progress never goes to stdout, which carries the summary.

import cliProgress from "cli-progress";

import type { ExploreProgress } from "../harness/explore-plan.ts";

export interface ProgressReporter {
  update(p: ExploreProgress): void;
  stop(): void;
}

/** How far along the work is, from 0 to 1: the runs or the time, whichever is further. */
function fraction(p: ExploreProgress): number {
  const byRuns = p.runsLimit === null ? 0 : p.runs / p.runsLimit;
  const byTime = p.timeLimitMs === null ? 0 : p.elapsedMs / p.timeLimitMs;
  return Math.min(1, Math.max(byRuns, byTime));
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? barReporter(stream) : lineReporter(stream);
}

function barReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "exploring [{bar}] {percentage}% | {runs} runs | {events} events | {failures} failed runs",
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { runs: p.runs, events: p.events, failures: p.failedRuns };
      const value = Math.round(fraction(p) * 1000);
      if (!started) {
        bar.start(1000, value, payload);
        started = true;
      } else {
        bar.update(value, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineReporter(stream: NodeJS.WriteStream): ProgressReporter {
  let shown = 0;
  return {
    update(p) {
      const tenth = Math.floor(fraction(p) * 10);
      if (tenth <= shown || tenth >= 10) return;
      shown = tenth;
      stream.write(
        `progress: ${tenth * 10}% ${p.runs} runs, ${p.events} events, ${p.failedRuns} failed runs, ` +
          `${p.distinctFailures} distinct failures, ${(p.elapsedMs / 1000).toFixed(1)} s\n`,
      );
    },
    stop() {},
  };
}

// explore --strategy exhaustive: every schedule of ONE scenario within bounds, checked
// against the handshake-order properties. Exit 0 when no schedule violates them (the summary
// says whether the search was complete or stopped by its time budget), 1 with a
// counterexample (a repro file that replays it).

import { unitVersionLine, UsageError } from "../harness/model-options.ts";
import { DEFAULT_EXHAUSTIVE, exploreExhaustive, type ExhaustiveReport } from "../harness/exhaustive.ts";
import { reproCommand, writeRepro } from "../harness/repro.ts";
import type { Json } from "../lifecycle/kernel.ts";
import { noFaults } from "../sim/index.ts";
import { parsePositiveInt, parseSeconds, resolveScenario, type LimitFlags, type StrategyFlags } from "./args.ts";

export interface ExhaustiveFlags extends StrategyFlags, LimitFlags {
  preemptions?: string;
  runs?: string;
  time?: string;
  seed?: string;
  fix?: string[];
  mutant?: string[];
  unit?: string;
  faults?: string;
  maxSteps?: string;
  runTime?: string;
  json?: string;
  workers?: string;
  shard?: string;
}

interface Io {
  out: (text: string) => void;
}

function parsePreemptions(text: string | undefined): number | null {
  if (text === undefined) return DEFAULT_EXHAUSTIVE.maxPreemptions;
  if (text === "none") return null;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--preemptions must be a non-negative integer or "none", got "${text}"`);
  return Number(text);
}

export function exhaustiveCommand(args: string[], flags: ExhaustiveFlags, io: Io): number {
  const refused = { "--runs": flags.runs, "--seed": flags.seed, "--faults": flags.faults, "--json": flags.json, "--workers": flags.workers, "--shard": flags.shard, "--pct-depth": flags.pctDepth, "--pct-steps": flags.pctSteps, "--run-time": flags.runTime };
  const given = Object.entries(refused).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length > 0) throw new UsageError(`--strategy exhaustive takes no ${given.join(", ")} (it explores every fault-free schedule of one scenario)`);
  if (args.length !== 1) throw new UsageError(`--strategy exhaustive explores exactly one scenario, got ${args.length}`);
  const { scenario, ref } = resolveScenario(args[0]!, flags.limit, undefined, flags.unit);
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const unit = flags.unit === undefined ? {} : { unit: flags.unit };
  const report = exploreExhaustive({
    scenario,
    fixes,
    mutants,
    ...unit,
    maxPreemptions: parsePreemptions(flags.preemptions),
    ...(flags.maxSteps === undefined ? {} : { maxSteps: parsePositiveInt(flags.maxSteps, "--max-steps") }),
    ...(flags.time === undefined ? {} : { timeSeconds: parseSeconds(flags.time, "--time") }),
  });
  const lines = exhaustiveSummary(ref, fixes, mutants, report);
  if (flags.unit !== undefined) lines.splice(1, 0, `version: ${unitVersionLine(flags.unit)}`);
  const cx = report.counterexample;
  if (cx !== null) {
    const path = writeRepro({ nxtsim: "repro/1", scenario: scenario as unknown as Json, seed: 0, faults: noFaults(), fixes, mutants, schedule: cx.schedule, check: cx.findings[0]!.check, ...unit });
    lines.push(`      replay: ${reproCommand(path)}`);
  }
  io.out(lines.join("\n") + "\n");
  return cx === null ? 0 : 1;
}

export function exhaustiveSummary(ref: string, fixes: readonly string[], mutants: readonly string[], r: ExhaustiveReport): string[] {
  const s = r.stats;
  const b = r.bounds;
  const list = (xs: readonly string[]) => (xs.length === 0 ? "none" : xs.join(", "));
  const out = [
    `exhaustive search of ${ref} (fixes: ${list(fixes)}; mutants: ${list(mutants)}; no faults)`,
    `bounds: ${b.maxSteps} steps per run, ${b.maxPreemptions === null ? "no preemption bound" : `${b.maxPreemptions} preemptions per schedule`}, ${b.timeSeconds} s; state hashing ${b.hashing ? "on" : "off"}, partial-order reduction ${b.por ? "on" : "off"}`,
    `explored: ${s.states} distinct states, ${s.schedules} complete schedules (${s.stepBounded} ended at the step budget), ${s.runs} runs, at most ${s.maxDepth} decisions deep, in ${(r.wallMs / 1000).toFixed(1)} s`,
    `pruned: ${s.revisits} runs cut at a state already explored, ${s.sleepPruned} branches asleep (independent events), ${s.preemptionPruned} branches over the preemption bound, ${s.blocked} runs with nothing left to explore`,
    `copies: ${s.restored} of the runs went on from a copy of the world (${s.snapshotsTaken} copies kept) instead of from boot; ${s.stepsRun} steps executed`,
    `state digests: ${s.updatedDigests} kept from the decision before (walking only what the steps since changed), ${s.wholeDigests} walking the whole world`,
    `coverage: ${r.transitions} distinct (process type, handshake state, message type) transitions`,
    `checks: ${r.checks.join(", ")}`,
  ];
  if (r.counterexample !== null) {
    out.push(`COUNTEREXAMPLE after ${s.runs} runs (schedule of ${r.counterexample.schedule.length} choices):`);
    for (const f of r.counterexample.findings) out.push(`  ${f.check}: ${f.reason}`);
  } else if (r.complete) {
    out.push(`proved: every schedule within the bounds satisfies ${r.checks.join(" and ")}`);
  } else {
    out.push(`INCOMPLETE: stopped by the time budget; no violation in the schedules explored`);
  }
  return out;
}

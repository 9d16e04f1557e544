// explore and replay with --backend real: the same model and checks on the real kernel.

import { createHash } from "node:crypto";

import type { Scenario } from "../catalog/scenario.ts";
import { exploreReal, type RealExploreResult } from "../harness/explore-real.ts";
import { REAL_RESULT_FORMAT } from "../harness/result-file.ts";
import { modelOptionsFor, unitVersionLine, UsageError } from "../harness/model-options.ts";
import { realRunView } from "../harness/run-view.ts";
import { checkRun } from "../properties/index.ts";
import { confinementLine } from "../real/confine.ts";
import { realSupport } from "../real/probe.ts";
import { runScenarioOnReal } from "../real/run-real.ts";
import { parsePositiveInt, parseSeconds, resolveScenario, type LimitFlags } from "./args.ts";
import { INTERRUPTED, watchInterrupts } from "./interrupt.ts";
import { checkOutputFile, writeOutputFile } from "./output-file.ts";

export type Backend = "sim" | "real";

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Flags that only mean something on the simulated kernel, by their option names. */
export function rejectSimOnly(command: string, given: Record<string, unknown>): void {
  for (const [flag, value] of Object.entries(given)) {
    if (value !== undefined) throw new UsageError(`${command} --backend real: ${flag} applies to the simulated kernel only (real runs have no seed, schedule or injected faults)`);
  }
}

/** The real backend must be usable here; if not, say exactly why (a usage-level refusal). */
function requireReal(): void {
  const support = realSupport();
  if (!support.ok) throw new UsageError(`--backend real is not available here: ${support.reason}`);
}

export interface RealExploreFlags extends LimitFlags {
  runs?: string;
  time?: string;
  runTime?: string;
  fix?: string[];
  mutant?: string[];
  json?: string;
  unit?: string;
}

export async function exploreRealCommand(args: string[], flags: RealExploreFlags, allScenarios: () => Scenario[], io: Io): Promise<number> {
  const resolved = args.length === 0 ? allScenarios().map((s) => ({ scenario: s, ref: s.name })) : args.map((a) => resolveScenario(a, flags.limit, undefined, flags.unit));
  const runs = flags.runs === undefined ? undefined : parsePositiveInt(flags.runs, "--runs");
  const timeSeconds = flags.time === undefined ? undefined : parseSeconds(flags.time, "--time");
  const runSeconds = runTimeOnReal(flags.runTime);
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const unit = flags.unit === undefined ? {} : { unit: flags.unit };
  for (const r of resolved) modelOptionsFor(r.scenario, { fixes, mutants, ...unit });
  requireReal();
  if (flags.json !== undefined) checkOutputFile("--json", flags.json);
  if (flags.unit !== undefined) io.err(`${unitVersionLine(flags.unit)}\n`);
  // Ctrl-C or SIGTERM cuts the run in progress (its processes are torn down) and reports the
  // runs made, as explore on the sim does; a second signal exits at once (cli/interrupt.ts).
  const interrupts = watchInterrupts();
  try {
    const result = await exploreReal({
      scenarios: resolved.map((r) => r.scenario),
      refs: resolved.map((r) => r.ref),
      fixes,
      mutants,
      ...unit,
      ...(runs === undefined ? {} : { runs }),
      ...(timeSeconds === undefined ? {} : { timeSeconds }),
      ...(runSeconds === undefined ? {} : { runSeconds }),
      signal: interrupts.signal,
      onRun: (done, run) => io.err(`real run ${done}: ${run.reason}, ${run.trace.length} events, ${run.wallMs} ms\n`),
    });
    io.out(realExploreSummary(result));
    if (flags.json !== undefined) writeOutputFile("--json", flags.json, JSON.stringify({ format: REAL_RESULT_FORMAT, ...result }, null, 2) + "\n");
    if (result.stoppedBy !== "interrupted") return result.failures.length > 0 ? 1 : 0;
    io.err(`nxtsim: interrupted (${interrupts.received()}) after ${result.runs} runs; the summary${flags.json === undefined ? "" : " and the --json file"} cover them\n`);
    return INTERRUPTED;
  } finally {
    interrupts.dispose();
  }
}

/** --run-time on the real backend: the run's own time, past which it ends as "timeout" (default DEFAULT_REAL_RUN_SECONDS). */
function runTimeOnReal(flag: string | undefined): number | undefined {
  return flag === undefined ? undefined : parseSeconds(flag, "--run-time");
}

const STOPPED = { runs: "", time: ", stopped by --time", interrupted: ", stopped by an interrupt" } as const;

export function realExploreSummary(r: RealExploreResult): string {
  const cut = r.cutRun ? " (the run in progress was cut: not counted, not judged)" : "";
  const lines = [
    `real kernel: ${r.runs} runs, ${r.events} events in ${(r.wallMs / 1000).toFixed(1)} s (${Math.round((r.events * 1000) / Math.max(1, r.wallMs))} events/s)${r.timeouts > 0 ? `, ${r.timeouts} did not settle in their run time` : ""}${STOPPED[r.stoppedBy]}${cut}`,
  ];
  if (r.confinement !== null) lines.push(r.uncapped > 0 ? `${r.confinement} (${r.uncapped} of ${r.runs} runs without the cgroup cap)` : r.confinement);
  lines.push(r.failures.length === 0 ? "no failures" : `${r.failures.length} distinct failures (not attributed: a real run cannot be replayed with a fix; explore on the simulated kernel attributes by cause):`);
  for (const f of r.failures) lines.push(`  ${f.check}: ${f.reason} (${f.scenario}, first in run ${f.firstRun}, ${f.count} runs)`);
  return lines.join("\n") + "\n";
}

export interface RealReplayFlags extends LimitFlags {
  scenario?: string;
  runTime?: string;
  fix?: string[];
  mutant?: string[];
  unit?: string;
  trace?: boolean;
}

/** One real run of a scenario: its verdicts and trace hash (a real run is not reproducible). */
export async function replayRealCommand(seedText: string | undefined, flags: RealReplayFlags, io: Io): Promise<number> {
  if (seedText !== undefined) throw new UsageError("replay --backend real takes no seed: real runs are not seeded (the kernel schedules them)");
  if (flags.scenario === undefined) throw new UsageError("replay --backend real needs --scenario NAME|FILE");
  const { scenario, ref } = resolveScenario(flags.scenario, flags.limit, undefined, flags.unit);
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const unit = flags.unit === undefined ? {} : { unit: flags.unit };
  modelOptionsFor(scenario, { fixes, mutants, ...unit });
  requireReal();
  const runSeconds = runTimeOnReal(flags.runTime);
  const run = await runScenarioOnReal(scenario, { fixes, mutants, ...unit, ...(runSeconds === undefined ? {} : { timeoutMs: runSeconds * 1000 }) });
  const violations = checkRun(realRunView(run, scenario, flags.unit));
  const jsonl = run.trace.map((e) => JSON.stringify(e) + "\n").join("");
  const summary = [
    `scenario: ${ref} on the real kernel${fixes.length > 0 ? `, fixes: ${fixes.join(",")}` : ""}${mutants.length > 0 ? `, mutants: ${mutants.join(",")}` : ""}`,
    ...(flags.unit === undefined ? [] : [`version: ${unitVersionLine(flags.unit)}`]),
    `end: ${run.reason} after ${run.wallMs} ms, ${run.trace.length} events`,
    confinementLine(run.confinement),
    `trace sha256: ${createHash("sha256").update(jsonl).digest("hex")} (this run's; another real run schedules differently)`,
    violations.length === 0 ? "checks: all passed" : `checks: ${violations.length} failed`,
    ...violations.map((v) => `  ${v.check}: ${v.reason}`),
    "",
  ].join("\n");
  if (flags.trace) {
    io.out(jsonl);
    io.err(summary);
  } else {
    io.out(summary);
  }
  return violations.length === 0 ? 0 : 1;
}

// nxtsim's command line: explore, merge, replay, trace, shrink, scenarios, check.
//
// Exit codes: 0 = done, nothing failed (trace: drawn, whatever the checks say; explore and
// merge: no NEW failure, with the default --fail-on new); 1 = a check failed (explore and
// merge: a new failure, or any with --fail-on any; replay), the file is invalid (check) or a
// worker failed; 2 = bad
// usage (unknown scenario, bad flag or value, unknown fix/mutant, a result file merge
// refuses); 130 = interrupted (Ctrl-C or SIGTERM; explore still reports what it found).
// Every error is one line on stderr; set NXTSIM_DEBUG=1 to see the stack of an internal error.

import { readFileSync } from "node:fs";

import { Command, CommanderError, Option } from "commander";

import type { Scenario } from "../catalog/scenario.ts";
import { loadScenario } from "../catalog/scenario-parse.ts";
import { listScenarios } from "../catalog/shipped-scenarios.ts";
import { attributeFailures } from "../harness/attribution.ts";
import { checkRun, verdicts } from "../harness/checks.ts";
import { failureContexts } from "../harness/failure-context.ts";
import { DEFAULT_BASE_SEED, DEFAULT_TIME_SECONDS } from "../harness/explore-plan.ts";
import { RESULT_FORMAT } from "../harness/explore-result.ts";
import { MAX_WORKERS } from "../harness/workers.ts";
import { unitVersionLine, upstreamOf, UsageError } from "../harness/model-options.ts";
import { DEFAULT_RUN_SECONDS, OverBudget } from "../harness/wall-budget.ts";
import { DEFAULT_UNIT, KNOWN_FIXES, KNOWN_MUTANTS, UNIT_VERSIONS } from "../lifecycle/options.ts";
import { collect, limitOption, type LimitFlags } from "./args.ts";
import { exploreCommand, mergeCommand, type ExploreFlags, type MergeFlags } from "./explore-command.ts";
import { DEFAULT_SHRINK_SECONDS } from "./explore-shrink.ts";
import { addStrategyOptions } from "./strategy-options.ts";
import { failureKey, replaySummary } from "./report.ts";
import { runFromFlags, type RunFlags, type SourcedRun } from "./run-source.ts";
import { shrinkCommand, type ShrinkFlags } from "./shrink-command.ts";
import { addTraceCommand } from "./trace.ts";
import { replayRealCommand, rejectSimOnly, type Backend } from "./real-commands.ts";
import { DEFAULT_REAL_RUN_SECONDS } from "../real/run-real.ts";

const USAGE = 2;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

interface ReplayFlags extends RunFlags {
  trace?: boolean;
  backend: Backend;
}

async function replayCommand(seedText: string | undefined, flags: ReplayFlags, io: Io): Promise<number> {
  if (flags.backend === "real") {
    rejectSimOnly("replay", { "--repro": flags.repro, "--path": flags.path, "--faults": flags.faults, "--max-steps": flags.maxSteps, "--strategy": flags.strategy });
    return replayRealCommand(seedText, flags, io);
  }
  return reportReplay(io, flags, runFromFlags("replay", seedText, flags));
}

function reportReplay(io: Io, flags: ReplayFlags, { scenario, run, what, again }: SourcedRun): number {
  const { ref, seed, faults, fixes, mutants } = what;
  const v = verdicts({ scenario, ...run });
  const failures = v.flatMap((x) => x.reasons.map((reason) => ({ check: x.check, reason })));
  const attributed = attributeFailures(failures, fixes, (withFixes) => checkRun({ scenario, ...again(withFixes) }));
  const causes = new Map(attributed.map((a) => [failureKey(a.check, a.reason), a.cause]));
  const summary = replaySummary({
    scenario: ref,
    seed,
    strategy: what.strategy,
    faults,
    fixes,
    mutants,
    ...(what.unit === undefined ? {} : { unit: what.unit }),
    result: run.result,
    hash: run.sim.traceHash(),
    verdicts: v,
    causes,
    contexts: failureContexts(scenario, run, failureKey),
  });
  if (flags.trace) {
    // The trace is the data (stdout, one JSON event a line); the verdict goes to stderr.
    io.out(run.sim.traceJsonl());
    io.err(summary);
  } else {
    io.out(summary);
  }
  return v.every((x) => x.ok) ? 0 : 1;
}

function scenariosCommand(io: Io): number {
  const all: Scenario[] = listScenarios();
  const width = Math.max(...all.map((s) => s.name.length));
  for (const s of all) io.out(`${s.name.padEnd(width)}  ${s.description}\n`);
  return 0;
}

interface CheckFlags extends LimitFlags {
  unit?: string;
}

function checkCommand(file: string, flags: CheckFlags, io: Io): number {
  const r = loadScenario(file, flags.limit, upstreamOf({ unit: flags.unit }));
  // A version the model does not have in full is said so, whatever the verdict.
  if (flags.unit !== undefined) io.err(`checked with the rules of ${unitVersionLine(flags.unit)}\n`);
  if (!r.ok) {
    io.err(`${r.error}\n`);
    return 1;
  }
  io.out("ok\n");
  return 0;
}

/** The version in nxtsim's package.json (the one npm installed). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name("nxtsim")
    .description("Deterministic simulation of NGINX Unit's process lifecycle")
    .version(packageVersion(), "-V, --version", "print nxtsim's version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      // Commander's own usage errors: one line, named after the program, with its "did you
      // mean" suggestion (commander puts it on a second line) kept on that line.
      outputError: (text, write) => write(`nxtsim: ${text.trim().split("\n").join(" ")}\n`),
    });

  const fixOption = () =>
    new Option("--fix <name>", `switch on a fix, upstream or a repair (repeatable): ${KNOWN_FIXES.join(", ")}`).argParser(collect);
  const backendOption = () =>
    new Option("--backend <kernel>", "sim: the simulated kernel (seeded, replayable); real: the Linux kernel (root, native addon)")
      .choices(["sim", "real"])
      .default("sim");
  const unitOption = () =>
    new Option("--unit <version>", `the Unit version the model stands for: ${Object.keys(UNIT_VERSIONS).join(", ")} (default ${DEFAULT_UNIT}; 1.35 is not fully modelled yet, see README "Unit versions")`);
  const mutantOption = () =>
    new Option("--mutant <name>", `switch on a broken variant: an old Unit bug or a mutant breaking one rule (repeatable): ${KNOWN_MUTANTS.join(", ")}`).argParser(collect);

  const runTimeOption = () =>
    new Option("--run-time <seconds>", `wall-clock budget of each run (default ${DEFAULT_RUN_SECONDS}); a run past it is cut, not deterministic, and never judged by the checks (--backend real: default ${DEFAULT_REAL_RUN_SECONDS}, and a run past it ends "timeout", judged as not settled)`);
  const shrinkOption = () =>
    new Option("--shrink [seconds]", `shrink each new distinct failure (as nxtsim shrink does), at most SECONDS each (default ${DEFAULT_SHRINK_SECONDS}); its repro's replay line is printed under the failure's`);
  const summaryMdOption = () =>
    new Option("--summary-md <file>", "also write the result as GitHub job-summary Markdown to FILE (counts, new failures with replay commands and Mermaid pictures, also written to FILE-pictures/)");
  const failOnOption = () =>
    new Option("--fail-on <which>", "exit 1 on new failures only (no known fix removes them), or on any failure")
      .choices(["new", "any"])
      .default("new");

  const exploreCmd = program
    .command("explore")
    .description(
      `run many seeded runs round-robin over scenarios (default: all shipped ones, about ${DEFAULT_TIME_SECONDS} s) and report failed checks`,
    )
    .argument("[scenario...]", "shipped scenario names, scenario files, or \"generated\" (a scenario drawn from each run's seed)")
    .option("--generate", "every run's scenario is drawn from its seed (as the scenario \"generated\")")
    .option("--mix", "the shipped scenarios (or those named) interleaved with generated ones: half the runs generated (npm start)")
    .option("--runs <n>", "make runs 0..N-1 (with --shard: this shard's share of them); unlike --time, reproducible")
    .option("--time <seconds>", `stop after this much wall time, the run in progress cut and not counted (default ${DEFAULT_TIME_SECONDS} when --runs is not given)`)
    .addOption(runTimeOption())
    .option("--seed <s>", `base seed the run seeds are derived from (default ${DEFAULT_BASE_SEED})`)
    .addOption(fixOption())
    .addOption(mutantOption())
    .addOption(unitOption())
    .option("--faults <json>", "fixed fault rates for every run instead of rates drawn per run, e.g. '{\"cloneFail\":0.01}'")
    .option("--max-steps <n>", "step budget of each run (default 20000)")
    .option("--json <file>", `also write the result as JSON (format ${RESULT_FORMAT}) to FILE, for merge`)
    .option("--workers <n>", `make the runs on N worker threads (1 to ${MAX_WORKERS}; default: in the main thread)`)
    .option("--shard <i/n>", "make only shard i of n: the runs numbered k with k mod n = i-1 (merge the shards' --json results)")
    .option("--no-progress", "no progress output on stderr")
    .addOption(shrinkOption())
    .addOption(summaryMdOption())
    .addOption(failOnOption())
    .addOption(backendOption())
    .addOption(limitOption());
  addStrategyOptions(exploreCmd, true)
    .option("--preemptions <n>", "exhaustive: most preemptions per schedule, or 'none' for no bound (the default: faster on small scenarios, where state hashing prunes more than a bound)")
    .action(async (args: string[], flags: ExploreFlags) => setCode(await exploreCommand(args, flags, io)));

  program
    .command("merge")
    .description("merge the --json results of the shards of one exploration into one summary (exit 1 on a new failure)")
    .argument("<result...>", "result files written by explore --json (or merge --json)")
    .option("--json <file>", "also write the merged result as JSON to FILE")
    .addOption(summaryMdOption())
    .addOption(shrinkOption())
    .addOption(failOnOption())
    .addOption(limitOption())
    .action(async (files: string[], flags: MergeFlags) => setCode(await mergeCommand(files, flags, io)));

  const replayCmd = program
    .command("replay")
    .description("reproduce one run: its checks, trace hash and steps (exit 1 when a check fails)")
    .argument("[seed]", "the run's seed (as printed by explore)")
    .option("--scenario <name|file>", "shipped scenario name, scenario file, or \"generated\" (the scenario the seed draws)")
    .option("--repro <file>", "a repro file written by the property suite or shrink (replaces seed and the other run options)")
    .option("--path <p>", "with the suite's seed: the property-suite case fast-check printed (seed and path, as npm test shows them)")
    .addOption(fixOption())
    .addOption(mutantOption())
    .addOption(unitOption())
    .option("--faults <json>", "fault rates, e.g. '{\"cloneFail\":0.01,\"killAtStep\":0.005}' (default: none)")
    .option("--max-steps <n>", "step budget (default 20000)")
    .option("--trace", "print the trace as JSON lines on stdout (the verdict then goes to stderr)")
    .addOption(runTimeOption())
    .addOption(backendOption())
    .addOption(limitOption());
  addStrategyOptions(replayCmd, false).action(async (seed: string | undefined, flags: ReplayFlags) => setCode(await replayCommand(seed, flags, io)));

  addTraceCommand(program, { io, setCode, fixOption, mutantOption, unitOption, runTimeOption });

  const shrinkCmd = program
    .command("shrink")
    .description("shrink a failing run (scenario, then schedule) to a minimal one failing the same check; writes a repro")
    .argument("<seed>", "the run's seed (as printed by explore)")
    .requiredOption("--scenario <name|file>", "shipped scenario name, scenario file, or \"generated\" (the scenario the seed draws)")
    .addOption(fixOption())
    .addOption(mutantOption())
    .addOption(unitOption())
    .option("--faults <json>", "the run's fault rates, as printed by explore (default: none)")
    .option("--check <name>", "the check that must keep failing (default: the run's first failing check)")
    .addOption(limitOption());
  addStrategyOptions(shrinkCmd, false).action((seed: string, flags: ShrinkFlags) => setCode(shrinkCommand(seed, flags, io)));

  program
    .command("scenarios")
    .description("list the shipped scenarios with their descriptions")
    .action(() => setCode(scenariosCommand(io)));

  program
    .command("check")
    .description("validate a scenario file with Unit's rules: prints ok, or the one-line error (exit 1)")
    .argument("<file>", "scenario file (JSON)")
    .addOption(unitOption())
    .addOption(limitOption())
    .action((file: string, flags: CheckFlags) => setCode(checkCommand(file, flags, io)));

  return program;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    io.err("nxtsim: error: missing command (explore, merge, replay, trace, shrink, scenarios, check; see nxtsim --help)\n");
    return USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is bad usage.
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0 ? 0 : USAGE;
    }
    if (e instanceof UsageError) {
      io.err(`nxtsim: error: ${e.message.split("\n")[0]}\n`);
      return USAGE;
    }
    if (e instanceof OverBudget) {
      io.err(`nxtsim: ${e.message}\n`);
      return 1;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`nxtsim: internal error: ${msg.split("\n")[0]}\n`);
    if (process.env.NXTSIM_DEBUG) io.err(`${e instanceof Error ? e.stack : ""}\n`);
    return 1;
  }
}

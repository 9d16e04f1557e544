// nxtsim trace: one run, made exactly as replay makes it, drawn as a text timeline, JSON
// lines, a Mermaid sequence diagram or Chrome trace-event JSON (Perfetto). The picture goes
// to stdout or --out FILE; one summary line (checks, and the file written) goes to stderr.
// Exit 0 once drawn, whatever the run's checks say: the picture is the product.


import { Option, type Command } from "commander";

import { BugFixtureError, loadBugFixture, runBugFixture } from "../catalog/bugs.ts";
import { verdicts } from "../harness/checks.ts";
import { unitVersionLine, UsageError } from "../harness/model-options.ts";
import { traceInC8d9106aCodes } from "../harness/run-view.ts";
import { renderChrome } from "../harness/pictures/chrome.ts";
import { DEFAULT_MAX_ITEMS, renderMermaid } from "../harness/pictures/mermaid.ts";
import { renderText } from "../harness/pictures/text.ts";
import { describeWindow, inWindow, isWholeRun, type TraceWindow } from "../harness/trace-window.ts";
import { RANDOM } from "../sim/strategies/index.ts";
import { limitOption, parsePositiveInt } from "./args.ts";
import { writeOutputFile } from "./output-file.ts";
import { addStrategyOptions } from "./strategy-options.ts";
import { runFromFlags, type RunFlags, type SourcedRun } from "./run-source.ts";

export const TRACE_FORMATS = ["text", "jsonl", "mermaid", "chrome"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceFlags extends RunFlags {
  bug?: string;
  format: TraceFormat;
  out?: string;
  maxEvents?: string;
  from?: string;
  to?: string;
  pid?: string;
}

/** --from N --to M --pid P: the window drawn (steps inclusive). */
function windowOf(flags: TraceFlags): TraceWindow {
  const step = (text: string | undefined, what: string): number | null => {
    if (text === undefined) return null;
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${what} must be a step number (0 or more), got "${text}"`);
    return Number(text);
  };
  const w = { from: step(flags.from, "--from"), to: step(flags.to, "--to"), pid: flags.pid === undefined ? null : parsePositiveInt(flags.pid, "--pid") };
  if (w.from !== null && w.to !== null && w.from > w.to) throw new UsageError(`--from ${w.from} is after --to ${w.to}`);
  return w;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** --bug NAME: the recorded run of a known-bug fixture; nothing else may name the run. */
function runOfBug(seedText: string | undefined, name: string, flags: TraceFlags): SourcedRun {
  if (seedText !== undefined || flags.scenario !== undefined || flags.repro !== undefined || flags.faults !== undefined || flags.fix !== undefined || flags.mutant !== undefined || flags.unit !== undefined || flags.strategy !== undefined) {
    throw new UsageError("trace --bug NAME takes no seed, --scenario, --repro, --faults, --fix, --mutant, --unit or --strategy (the fixture has them)");
  }
  let fixture;
  try {
    fixture = loadBugFixture(name);
  } catch (e) {
    if (e instanceof BugFixtureError) throw new UsageError(`--bug: ${e.message}`);
    throw e;
  }
  const maxSteps = flags.maxSteps === undefined ? undefined : parsePositiveInt(flags.maxSteps, "--max-steps");
  const steps = maxSteps === undefined ? {} : { maxSteps };
  const again = (withFixes: readonly string[]) => runBugFixture(fixture, { ...steps, fixes: [...withFixes] }).run;
  const { seed, faults, fixes, mutants } = fixture;
  return { scenario: fixture.scenario, run: again(fixes), what: { ref: `bug ${name}`, seed, faults, fixes, mutants, strategy: RANDOM }, again };
}

export function traceCommand(seedText: string | undefined, flags: TraceFlags, io: Io): number {
  if (flags.maxEvents !== undefined && flags.format !== "mermaid") throw new UsageError("--max-events applies to --format mermaid only");
  const maxItems = flags.maxEvents === undefined ? undefined : parsePositiveInt(flags.maxEvents, "--max-events");
  const window = windowOf(flags);
  const { scenario, run, what } = flags.bug === undefined ? runFromFlags("trace", seedText, flags) : runOfBug(seedText, flags.bug, flags);
  // The text timeline draws a window with the whole run's lanes; the other formats get the
  // window's events alone.
  const whole = isWholeRun(window);
  // The pictures name messages by c8d9106a's codes: a renumbering version's trace is drawn in those (jsonl stays raw).
  const named = traceInC8d9106aCodes(run.sim.trace, what.unit);
  const trace = whole ? named : named.filter((e) => inWindow(window, e));
  const picture =
    flags.format === "jsonl"
      ? whole
        ? run.sim.traceJsonl()
        : run.sim.trace.filter((e) => inWindow(window, e)).map((e) => JSON.stringify(e) + "\n").join("")
      : flags.format === "mermaid"
        ? renderMermaid(trace, maxItems === undefined ? {} : { maxItems })
        : flags.format === "chrome"
          ? renderChrome(trace)
          : renderText(named, window);
  if (flags.out === undefined) {
    io.out(picture);
  } else {
    writeOutputFile("--out", flags.out, picture);
  }
  const failed = verdicts({ scenario, ...run }).filter((v) => !v.ok).map((v) => v.check);
  io.err(
    `trace: ${what.ref} seed ${what.seed}: ${run.result.events} events, ${run.result.steps} steps, end ${run.result.reason}; ` +
      (whole ? "" : `window ${describeWindow(window)}: ${trace.length} events; `) +
      `checks: ${failed.length === 0 ? "pass" : `FAIL ${failed.join(", ")}`}${flags.out === undefined ? "" : `; ${flags.format} written to ${flags.out}`}` +
      `${what.unit === undefined ? "" : `; ${unitVersionLine(what.unit)}`}\n`,
  );
  return 0;
}

/** Registers `trace` on the program, with the same run options as `replay`. */
export function addTraceCommand(
  program: Command,
  o: { io: Io; setCode: (code: number) => void; fixOption: () => Option; mutantOption: () => Option; unitOption: () => Option; runTimeOption: () => Option },
): void {
  const command = program
    .command("trace")
    .description("draw one run (made as replay makes it): a text timeline, JSON lines, a Mermaid sequence diagram or Chrome trace JSON")
    .argument("[seed]", "the run's seed (as printed by explore)")
    .option("--scenario <name|file>", "shipped scenario name or scenario file")
    .option("--repro <file>", "a repro file written by the property suite or shrink (replaces seed and the other run options)")
    .option("--path <p>", "with the suite's seed: the property-suite case fast-check printed (seed and path, as npm test shows them)")
    .option("--bug <name>", "the recorded run of a known-bug fixture, e.g. 633 (fixtures/bugs/NAME.json)")
    .addOption(o.fixOption())
    .addOption(o.mutantOption())
    .addOption(o.unitOption())
    .option("--faults <json>", "fault rates, e.g. '{\"cloneFail\":0.01}' (default: none)")
    .option("--max-steps <n>", "step budget (default 20000)")
    .addOption(o.runTimeOption())
    .addOption(limitOption())
    .addOption(new Option("--format <format>", "what to draw").choices(TRACE_FORMATS).default("text"))
    .option("--max-events <n>", `mermaid: draw at most N arrows and notes (default ${DEFAULT_MAX_ITEMS}; a longer run is cut with a note)`)
    .option("--out <file>", "write the picture to FILE instead of stdout")
    .option("--from <step>", "draw only the events from this step on (replay prints the step of each failure)")
    .option("--to <step>", "draw only the events up to this step (inclusive)")
    .option("--pid <pid>", "draw only this process's events (host pid, as the timeline shows it)");
  addStrategyOptions(command, false).action((seed: string | undefined, flags: TraceFlags) => o.setCode(traceCommand(seed, flags, o.io)));
}

// `nxtsim trace` end to end: every format and --out, checked against the renderers run
// in-process on the same run; every command of the README's "Looking at a run" section; bad
// input gets one line on stderr and exit 2.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { execa } from "execa";
import mermaid from "mermaid";
import { describe, expect, it } from "vitest";

import { scenarioJson } from "../../catalog/bugs.ts";
import type { Scenario } from "../../catalog/scenario.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { renderMermaid } from "../../harness/pictures/mermaid.ts";
import { renderText } from "../../harness/pictures/text.ts";
import { faultRates } from "../../sim/faults.ts";
import { chromeTraceProblems } from "../pictures/chrome-format.ts";
import { bug633Trace } from "../pictures/runs.ts";
import { BIN, codeBlocks, expectOneLineError, lookingAtARunCommands, readmeSection, runNxtsim, runPrinted, scratchDir } from "./helpers.ts";

const scratch = scratchDir();
const nxtsim = (args: string[]) => runNxtsim(args, scratch);

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

const SEED = 22;
const FAULTS = { sendFail: 0.1, killAtStep: 0.02 };
const runArgs = [String(SEED), "--scenario", "two-apps", "--faults", JSON.stringify(FAULTS)];
const inProcess = runOnce(shipped("two-apps"), { seed: SEED, faults: faultRates(FAULTS) });

describe("nxtsim trace, each format", () => {
  it("text (the default) is the timeline of the same run", async () => {
    const r = await nxtsim(["trace", ...runArgs]);
    expect(r.code).toBe(0);
    expect(r.stdout + "\n").toBe(renderText(inProcess.sim.trace));
    expect(r.stderr).toMatch(/^trace: two-apps seed 22: \d+ events, \d+ steps, end \S+; checks: (pass|FAIL .*)$/);
  });

  it("jsonl is the trace itself, byte for byte what replay --trace prints", async () => {
    const r = await nxtsim(["trace", ...runArgs, "--format", "jsonl"]);
    expect(r.code).toBe(0);
    expect(r.stdout + "\n").toBe(inProcess.sim.traceJsonl());
    const replayed = await nxtsim(["replay", ...runArgs, "--trace"]);
    expect(replayed.stdout).toBe(r.stdout);
  });

  it("mermaid is the same run's sequence diagram, and Mermaid parses it", async () => {
    const r = await nxtsim(["trace", ...runArgs, "--format", "mermaid"]);
    expect(r.code).toBe(0);
    expect(r.stdout + "\n").toBe(renderMermaid(inProcess.sim.trace));
    await expect(mermaid.parse(r.stdout)).resolves.toMatchObject({ diagramType: "sequence" });
    const cut = await nxtsim(["trace", ...runArgs, "--format", "mermaid", "--max-events", "5"]);
    expect(cut.stdout).toMatch(/CUT: the first 5 of \d+ arrows and notes/);
  });

  it("chrome, written with --out, is valid trace-event JSON; stdout stays empty", async () => {
    const r = await nxtsim(["trace", ...runArgs, "--format", "chrome", "--out", "run.json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/; chrome written to run\.json$/);
    expect(chromeTraceProblems(JSON.parse(readFileSync(join(scratch, "run.json"), "utf8")))).toEqual([]);
  });

  it("--repro draws a repro file's run, as replay --repro replays it", async () => {
    const repro = { nxtsim: "repro/1", scenario: scenarioJson(shipped("two-apps")), seed: SEED, faults: faultRates(FAULTS), fixes: [], mutants: [], schedule: null, check: null };
    writeFileSync(join(scratch, "repro.json"), JSON.stringify(repro));
    const r = await nxtsim(["trace", "--repro", "repro.json", "--format", "jsonl"]);
    expect(r.code).toBe(0);
    expect(r.stdout + "\n").toBe(inProcess.sim.traceJsonl());
  });

  it("--bug draws a known bug's recorded run", async () => {
    const r = await nxtsim(["trace", "--bug", "633", "--format", "mermaid"]);
    expect(r.code).toBe(0);
    expect(r.stdout + "\n").toBe(renderMermaid(bug633Trace()));
    expect(r.stderr).toMatch(/^trace: bug 633 seed 1: .*checks: FAIL no-crash, every-add-succeeds, table-keys-host-pids$/);
  });
});

describe("the README's \"Looking at a run\"", () => {
  const section = readmeSection("## Looking at a run");
  const { commands, commentLine } = lookingAtARunCommands();

  it("runs every nxtsim command it shows", async () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) {
      const r = await runPrinted(command, scratch);
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      const out = / --out (\S+)/.exec(command)?.[1];
      if (out === undefined) expect(r.stdout.length).toBeGreaterThan(0);
      else expect(existsSync(join(scratch, out))).toBe(true);
    }
  });

  it("builds the PR comment it shows: a mermaid block that parses", async () => {
    expect(commentLine).toBeDefined();
    const r = await execa(commentLine!.replaceAll("npx nxtsim", `"${process.execPath}" "${BIN}"`), { shell: true, cwd: scratch, reject: false });
    expect(r.exitCode).toBe(0);
    const comment = readFileSync(join(scratch, "comment.md"), "utf8");
    expect(comment).toMatch(/^```mermaid\nsequenceDiagram\n[\s\S]*\n```\n$/);
    await expect(mermaid.parse(comment.slice("```mermaid\n".length, -"```\n".length))).resolves.toBeTruthy();
  });

  it("shows the #633 diagram and timeline excerpt as nxtsim draws them now (regenerate them from `trace --bug 633` when the model changes)", async () => {
    expect(codeBlocks(section, "mermaid")).toEqual([renderMermaid(bug633Trace())]);
    const timeline = renderText(bug633Trace()).split("\n");
    const excerpt = codeBlocks(section, "text")[0]!.trimEnd().split("\n");
    for (const l of excerpt) expect(timeline).toContain(l);
  });
});

describe.concurrent("nxtsim trace, bad input: one line on stderr, exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown format", ["trace", "1", "--scenario", "boot-only", "--format", "svg"], /argument 'svg' is invalid. Allowed choices are text, jsonl, mermaid, chrome/],
    ["malformed seed", ["trace", "12ab", "--scenario", "boot-only"], /seed must be a non-negative integer, got "12ab"/],
    ["missing scenario file", ["trace", "1", "--scenario", "/no/such/file.json"], /cannot read the file \(ENOENT\)/],
    ["unknown scenario", ["trace", "1", "--scenario", "no-such-scenario"], /no shipped scenario named "no-such-scenario"/],
    ["no scenario", ["trace", "1"], /trace needs --scenario/],
    ["unknown bug", ["trace", "--bug", "999"], /--bug: no bug fixture named "999"/],
    ["--bug with a seed", ["trace", "1", "--bug", "633"], /--bug NAME takes no seed/],
    ["--repro with --scenario", ["trace", "--repro", "x.json", "--scenario", "boot-only"], /trace --repro FILE takes no seed, --scenario/],
    ["--max-events without mermaid", ["trace", "1", "--scenario", "boot-only", "--max-events", "5"], /--max-events applies to --format mermaid only/],
    ["bad --max-events", ["trace", "1", "--scenario", "boot-only", "--format", "mermaid", "--max-events", "0"], /--max-events must be a positive integer/],
    ["unwritable --out", ["trace", "1", "--scenario", "boot-only", "--out", "/no/such/dir/x.txt"], /cannot write the --out file/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await nxtsim(args);
      expectOneLineError(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

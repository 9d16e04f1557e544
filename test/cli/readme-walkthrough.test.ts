// The README, command by command: every `npx nxtsim` line of README.md is exercised end to end.
// - The walk-through's commands run as printed, in order, in one scratch directory, and every
//   output line it shows must be in their output, in order.
// - Each synopsis of the usage block has concrete instances, together using every flag it shows.
// - The `npm start` failure it shows is found by a real exploration, and its replay fails so.
// - "Looking at a run" is run by trace.test.ts; any other `npx nxtsim` line fails the last test.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

import { describe, expect, it } from "vitest";

import { scenarioJson } from "../../catalog/bugs.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { simRunView } from "../../harness/run-view.ts";
import { writeRepro } from "../../harness/repro.ts";
import { appsLearnNoPorts } from "../../properties/examples/apps-learn-no-ports.ts";
import { ALL_CHECKS, checkRun } from "../../properties/index.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { noFaults } from "../../sim/index.ts";
import { main } from "../../cli/main.ts";
import { describeReal } from "../real/native-helpers.ts";
import { codeBlocks, lookingAtARunCommands, README, readmeSection, REPO, runPrinted, scratchDir, type CliResult } from "./helpers.ts";

const WALK = readmeSection("## Walk-through: from install to a fixed race");

/** A command of the walk-through and the output lines shown under it (`...` lines included). */
interface Step {
  command: string;
  shown: string[];
}

/** The `$ `-prompted commands of the walk-through's console blocks, with the lines under them. */
function walkSteps(): Step[] {
  const steps: Step[] = [];
  for (const block of codeBlocks(WALK, "console")) {
    for (const line of block.trimEnd().split("\n")) {
      if (line.startsWith("$ ")) steps.push({ command: line.slice(2), shown: [] });
      else if (steps.length > 0) steps.at(-1)!.shown.push(line);
      else throw new Error(`README walk-through: output before any command: ${line}`);
    }
  }
  return steps;
}

const STEPS = walkSteps();
const isReal = (command: string): boolean => command.includes("--backend real");

/**
 * A shown output line as a pattern for a whole output line: `...` stands for any text, a wall
 * time (`1.1 s`, `604 ms`, `364 events/s`) for any number, and on the real kernel, which has
 * no seed, every number is free (pids, counts, times).
 */
function linePattern(shown: string, real: boolean): RegExp {
  const literal = (text: string): string => {
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return real ? escaped.replace(/\d+/g, "\\d+") : escaped.replace(/\d+(?:\\\.\d+)?(?= (?:s|ms|events\/s)\b)/g, "[\\d.]+");
  };
  return new RegExp(`^${shown.trimEnd().split("...").map(literal).join(".*")}$`);
}

/** Every shown line (but the `...` ones) matches an output line, in the order shown; returns those output lines. */
function expectShown(shown: readonly string[], r: CliResult, real: boolean, what: string): string[] {
  const output = `${r.stdout}\n${r.stderr}`;
  const lines = output.split("\n").map((l) => l.trimEnd());
  const matched: string[] = [];
  let at = 0;
  for (const line of shown) {
    if (line.trim() === "...") continue;
    const pattern = linePattern(line, real);
    const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
    expect(found, `${what}: the README shows\n${line}\nwhich is not (in that order) in the output:\n${output}`).toBeGreaterThanOrEqual(0);
    matched.push(lines[found]!);
    at = found + 1;
  }
  return matched;
}

/** The exit code the shown output implies: 1 when it reports a failure (trace draws, exit 0). */
function shownExitCode(shown: readonly string[]): number {
  const text = shown.join("\n");
  return /^(NEW FAILURES:|verdict: FAIL|shrunk:|checks: \d+ failed|\d+ distinct failures\b)/m.test(text) ? 1 : 0;
}

async function runStep(step: Step, cwd: string): Promise<void> {
  const r = await runPrinted(step.command, cwd);
  expect(r.code, `${step.command}\n${r.stderr}`).toBe(shownExitCode(step.shown));
  expectShown(step.shown, r, isReal(step.command), step.command);
  const out = / --out (\S+)/.exec(step.command)?.[1];
  if (out !== undefined) {
    const text = readFileSync(join(cwd, out), "utf8");
    if (step.command.includes("--format mermaid")) expect(text).toMatch(/^sequenceDiagram\n/);
    if (step.command.includes("--format chrome")) expect(JSON.parse(text)).toHaveProperty("traceEvents");
  }
}

/**
 * Runs an `npx nxtsim ...` line through the CLI's main() in this process, from `cwd`: the
 * same program without the ~1 s it takes to start, for the many small instances of the
 * synopses. Arguments are split as a shell splits them (words, and single-quoted text).
 */
async function runInProcess(command: string, cwd: string): Promise<CliResult> {
  expect(command.startsWith("npx nxtsim ")).toBe(true);
  const argv = [...command.slice("npx nxtsim ".length).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  let stdout = "";
  let stderr = "";
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(argv, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
    return { code, stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") };
  } finally {
    process.chdir(before);
  }
}

const walkDir = scratchDir();
// The scenario file the walk-through asks the reader to save (its only json block).
writeFileSync(join(walkDir, "low-pid.json"), codeBlocks(WALK, "json")[0] ?? "");

describe("the README's walk-through, run as printed", () => {
  it("asks for the scenario file it uses, and shows the example property's code as it is in the repository", () => {
    expect(WALK).toContain("save this as `low-pid.json`");
    expect(codeBlocks(WALK, "json")).toHaveLength(1);
    expect(codeBlocks(WALK, "ts")).toEqual([
      readFileSync(join(REPO, "properties/examples/apps-learn-no-ports.ts"), "utf8"),
      readFileSync(join(REPO, "test/properties/example-property.test.ts"), "utf8"),
    ]);
  });

  it("shows commands for every step of the story", () => {
    const sub = (s: Step): string => s.command.split(" ").slice(2, 3).join("");
    expect(new Set(STEPS.filter((s) => !isReal(s.command)).map(sub))).toEqual(new Set(["explore", "replay", "shrink", "check", "trace"]));
    expect(STEPS.some((s) => s.command.includes("--fix 633"))).toBe(true);
    expect(STEPS.filter((s) => isReal(s.command)).map(sub)).toEqual(["explore", "replay"]);
  });

  for (const step of STEPS.filter((s) => !isReal(s.command))) {
    it(step.command, () => runStep(step, walkDir));
  }

  it("registering the example property next to ALL_CHECKS makes checkRun report it", () => {
    const r = scenarioByName("one-app-two-processes");
    if (!r.ok) throw new Error(r.error);
    const run = runScenarioOnSim(r.scenario, { seed: 1, fixes: ["633"], mutants: ["send-all"] });
    const registered = [...ALL_CHECKS, appsLearnNoPorts];
    expect(new Set(registered.map((c) => c.name)).size).toBe(registered.length);
    expect(checkRun(simRunView(run, r.scenario), registered).map((v) => v.check)).toContain("apps-learn-no-ports");
  });
});

describeReal("the README's walk-through on the real kernel, run as printed", () => {
  for (const step of STEPS.filter((s) => isReal(s.command))) {
    it(step.command, () => runStep(step, walkDir));
  }
});

// ---- The usage block: each synopsis and concrete instances of it.

const synopsisDir = scratchDir();

function shippedJson(name: string): Json {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return scenarioJson(r.scenario) as Json;
}

/** The file `check my-scenario.json` names. */
writeFileSync(join(synopsisDir, "my-scenario.json"), JSON.stringify(shippedJson("two-apps")));

/** A repro file for the `trace --repro` synopsis (its name comes from its content). */
const REPRO_FILE = relative(
  synopsisDir,
  writeRepro({ nxtsim: "repro/1", scenario: shippedJson("two-apps"), seed: 5, faults: noFaults(), fixes: [], mutants: [], schedule: null, check: null }, join(synopsisDir, "results")),
);

/** A command this file runs for a synopsis, and what its output must show. */
interface Instance {
  command: string;
  shows: RegExp;
}

interface Synopsis {
  /** The synopsis as the usage block has it (continuation lines joined, comment dropped). */
  synopsis: string;
  /** Walk-through commands that are instances of it (run above). */
  walkThrough: string[];
  /** More instances, run here in this order, so that together they use every flag shown. */
  more: Instance[];
}

const SHARD = `npx nxtsim explore boot-only shutdown-sigquit --runs 6 --seed 3 --mutant 600 --faults '{"cloneFail":0.01}' --no-progress`;

const SYNOPSES: Synopsis[] = [
  {
    synopsis:
      "npx nxtsim explore [scenario...] [--runs N] [--time S] [--seed S] [--fix 633] [--mutant 600] [--faults JSON] [--workers N] [--shard i/n] [--json FILE] [--strategy random|swarm|pct [--pct-depth D --pct-steps K]]",
    walkThrough: ["npx nxtsim explore one-app-isolated --runs 20 --seed 1", "npx nxtsim explore low-pid.json --runs 20 --seed 1 --fix 633"],
    more: [
      { command: `${SHARD} --shard 1/2 --json shard-1.json`, shows: /^ {2}shard 1\/2: 3 runs, numbers 0 to 4 step 2$/m },
      { command: `${SHARD} --shard 2/2 --json shard-2.json --workers 1 --time 60`, shows: /^events: .*, 1 worker thread$/m },
      { command: "npx nxtsim explore boot-only --runs 4 --seed 2 --strategy pct --pct-depth 2 --pct-steps 30 --no-progress", shows: /^explored 4 runs over 1 scenario in .* \(base seed 2, strategy pct\(d=2,k=30\), stopped by runs/m },
      { command: "npx nxtsim explore boot-only --runs 4 --seed 2 --strategy swarm --no-progress", shows: /strategy swarm, stopped by runs/m },
      { command: "npx nxtsim explore boot-only --runs 4 --seed 2 --strategy random --no-progress", shows: /strategy random, stopped by runs/m },
    ],
  },
  {
    synopsis: "npx nxtsim explore --strategy exhaustive SCENARIO [--max-steps N] [--preemptions P|none] [--time S]",
    walkThrough: [],
    more: [
      {
        command: `npx nxtsim explore --strategy exhaustive ${join(REPO, "fixtures", "exhaustive", "one-app-pid-isolated.json")} --max-steps 200 --preemptions 1 --time 120`,
        shows: /^proved: every schedule within the bounds satisfies handshake-order and maps-before-credentials$/m,
      },
      {
        command: `npx nxtsim explore --strategy exhaustive ${join(REPO, "fixtures", "exhaustive", "one-app-pid-isolated.json")} --preemptions none --time 120`,
        shows: /^explored: 2952 distinct states, /m,
      },
    ],
  },
  {
    synopsis: "npx nxtsim merge <result.json...> [--json FILE]",
    walkThrough: [],
    more: [{ command: "npx nxtsim merge shard-1.json shard-2.json --json merged.json", shows: /^merged 2 results: 6 runs over 2 scenarios/m }],
  },
  {
    synopsis: "npx nxtsim replay <seed> --scenario NAME|FILE [--faults JSON] [--fix ...] [--mutant ...] [--trace]",
    walkThrough: ["npx nxtsim replay 1084024610 --scenario one-app-isolated", "npx nxtsim replay 1084024610 --scenario one-app-isolated --fix 633"],
    more: [{ command: `npx nxtsim replay 7 --scenario shutdown-sigquit --faults '{"killAtStep":0.02}' --mutant 600 --trace`, shows: /^\{"step":0,[\s\S]*^trace hash: [0-9a-f]{64}$/m }],
  },
  {
    synopsis: "npx nxtsim replay <seed> --path P",
    walkThrough: [],
    more: [{ command: "npx nxtsim replay 20261124 --path 2", shows: /^replay: scenario suite case \(seed 20261124, path 2\), /m }],
  },
  {
    synopsis: "npx nxtsim replay --repro results/repro-XXXX.json",
    walkThrough: ["npx nxtsim replay --repro results/repro-918bcc70b865.json"],
    more: [],
  },
  {
    synopsis:
      "npx nxtsim trace <seed> --scenario NAME|FILE [--faults JSON] [--fix ...] [--mutant ...] [--format text|jsonl|mermaid|chrome] [--out FILE]",
    walkThrough: [
      "npx nxtsim trace 1084024610 --scenario low-pid.json --format mermaid --out low-pid.mmd",
      "npx nxtsim trace 1084024610 --scenario low-pid.json --format chrome --out low-pid-trace.json",
    ],
    more: [{ command: `npx nxtsim trace 7 --scenario shutdown-sigquit --faults '{"killAtStep":0.02}' --fix 633 --mutant 600 --format jsonl`, shows: /^\{"step":0,/m }],
  },
  {
    synopsis: "npx nxtsim trace --repro FILE | --bug NAME [--format ...] [--out FILE]",
    walkThrough: [],
    more: [
      { command: `npx nxtsim trace --repro ${REPRO_FILE}`, shows: /^trace: .* seed 5: \d+ events/m },
      { command: "npx nxtsim trace --bug 600 --format mermaid --out 600.mmd", shows: /^trace: bug 600 .*; mermaid written to 600\.mmd$/m },
    ],
  },
  {
    synopsis: "npx nxtsim shrink <seed> --scenario NAME|FILE [--faults JSON] [--check NAME]",
    walkThrough: ["npx nxtsim shrink 1084024610 --scenario one-app-isolated"],
    // The run of the `npm start` failure the README shows.
    more: [
      {
        command: `npx nxtsim shrink 2769388231 --scenario one-app-isolated --faults '{"killAtStep":0.02}' --check no-crash`,
        shows: /^shrunk: no-crash: /m,
      },
    ],
  },
  {
    synopsis: "npx nxtsim explore --backend real [scenario...] [--runs N] [--time S] [--run-time S] [--json FILE] [--fix ...] [--mutant ...]",
    walkThrough: ["npx nxtsim explore --backend real low-pid.json --runs 2"],
    more: [{ command: "npx nxtsim explore --backend real boot-only --time 1 --run-time 20 --json real-result.json --fix 633 --mutant 600", shows: /^real kernel: \d+ runs, \d+ events/m }],
  },
  {
    synopsis: "npx nxtsim replay --backend real --scenario NAME|FILE [--run-time S] [--fix ...] [--mutant ...] [--trace]",
    walkThrough: ["npx nxtsim replay --backend real --scenario low-pid.json --fix 633"],
    more: [{ command: "npx nxtsim replay --backend real --scenario boot-only --run-time 20 --mutant 600 --trace", shows: /^\{"step":\d+,[\s\S]*^checks: all passed$/m }],
  },
  { synopsis: "npx nxtsim scenarios", walkThrough: [], more: [{ command: "npx nxtsim scenarios", shows: /^one-app-isolated {2,}One Python application/m }] },
  {
    synopsis: "npx nxtsim check my-scenario.json [--unit c8d9106a|1.35]",
    walkThrough: [],
    more: [
      { command: "npx nxtsim check my-scenario.json", shows: /^ok$/m },
      { command: "npx nxtsim check my-scenario.json --unit 1.35", shows: /^ok$/m },
    ],
  },
];

/** A usage line without its trailing comment, whitespace collapsed. */
function normalise(line: string): string {
  return line.replace(/\s+#\s.*$/, "").replace(/\s+/g, " ").trim();
}

/** The lines of the usage block (the first sh block of "Using it"). */
function usageLines(): string[] {
  const [block] = codeBlocks(readmeSection("## Using it"), "sh");
  return block!.trimEnd().split("\n");
}

/** The usage block's synopses, continuation lines joined to the line they continue. */
function usageSynopses(): string[] {
  const synopses: string[] = [];
  for (const line of usageLines()) {
    if (/^\s/.test(line) && synopses.length > 0) synopses[synopses.length - 1] += ` ${line}`;
    else synopses.push(line);
  }
  return synopses.map(normalise);
}

const flagsOf = (text: string): string[] => [...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);

describe("the README's usage block: a concrete instance of every synopsis and flag", () => {
  it("has exactly the synopses listed here (a new one needs instances in SYNOPSES)", () => {
    const listed = SYNOPSES.map((s) => s.synopsis);
    expect(usageSynopses().filter((s) => !listed.includes(s)), "usage lines without instances in SYNOPSES").toEqual([]);
    expect(listed.filter((s) => !usageSynopses().includes(s)), "SYNOPSES the README no longer shows").toEqual([]);
  });

  for (const s of SYNOPSES) {
    it(`instances of "${s.synopsis}" use every flag it shows`, () => {
      const instances = [...s.walkThrough, ...s.more.map((m) => m.command)];
      const sub = s.synopsis.split(" ")[2]!;
      for (const i of instances) {
        expect(i.startsWith(`npx nxtsim ${sub} `) || i === `npx nxtsim ${sub}`, i).toBe(true);
        expect(isReal(i), i).toBe(isReal(s.synopsis));
      }
      for (const c of s.walkThrough) expect(STEPS.map((step) => step.command)).toContain(c);
      const used = new Set(instances.flatMap(flagsOf));
      expect(flagsOf(s.synopsis).filter((f) => !used.has(f))).toEqual([]);
    });
  }

  for (const m of SYNOPSES.filter((s) => !isReal(s.synopsis)).flatMap((s) => s.more)) {
    it(m.command, async () => {
      // A line the README shows as it is is run as printed; instances of a synopsis in process.
      const r = usageLines().map(normalise).includes(m.command) ? await runPrinted(m.command, synopsisDir) : await runInProcess(m.command, synopsisDir);
      expect([0, 1], `${m.command}\n${r.stderr}`).toContain(r.code);
      expect(`${r.stdout}\n${r.stderr}`).toMatch(m.shows);
      const out = / --out (\S+)/.exec(m.command)?.[1];
      if (out !== undefined) expect(existsSync(join(synopsisDir, out))).toBe(true);
    }, 300_000); // the exhaustive instances have --time 120 each: room for a loaded machine
  }
});

describeReal("the README's usage block on the real kernel", () => {
  for (const m of SYNOPSES.filter((s) => isReal(s.synopsis)).flatMap((s) => s.more)) {
    it(m.command, async () => {
      const r = await runInProcess(m.command, synopsisDir);
      expect([0, 1], `${m.command}\n${r.stderr}`).toContain(r.code);
      expect(`${r.stdout}\n${r.stderr}`).toMatch(m.shows);
    });
  }
});

// ---- The explore summaries of "Using it": the default model's known causes, a mutant's new failure.

const SUMMARY_EXAMPLES = (() => {
  const section = readmeSection("## Using it");
  const at = section.indexOf("explore's summary starts with one line");
  return codeBlocks(section.slice(at), "console")
    .slice(0, 2)
    .map((block) => {
      const [command, ...shown] = block.trimEnd().split("\n");
      return { command: command!.replace(/^\$ /, ""), shown };
    });
})();
const NPM_START = SUMMARY_EXAMPLES.flatMap((e) => [e.command, ...e.shown]);

describe("the README's explore summaries", () => {
  const cwd = scratchDir();

  it("shows two: the default model's (known causes only) and a mutant's (new)", () => {
    expect(SUMMARY_EXAMPLES.map((e) => e.command)).toEqual([
      "npx nxtsim explore --runs 300",
      "npx nxtsim explore shutdown-sigquit --runs 10 --mutant notify-twice",
    ]);
  });

  it.each([0, 1])("example %i is what the exploration prints, and its shown replay fails with the cause shown", async (i) => {
    const { command, shown } = SUMMARY_EXAMPLES[i]!;
    const r = await runInProcess(`${command} --no-progress`, cwd);
    expect(r.code).toBe(shownExitCode(shown));
    const matched = expectShown(shown, r, false, command);
    const replayLine = matched.find((l) => l.trim().startsWith("replay: "))!;
    const example = matched[matched.indexOf(replayLine) - (i === 0 ? 1 : 2)]!;
    const [, check, reason] = i === 0 ? /e\.g\. (\S+) on \S+: (.*)$/.exec(example)! : /^ {2}\[\d+\] (\S+) on \S+: (.*)$/.exec(example)!;
    const again = await runPrinted(replayLine.trim().slice("replay: ".length), cwd);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`  FAIL  ${check}: ${reason}\n        ${i === 0 ? "known: " + /^ {2}(\S+): /.exec(example)![1] : "new: "}`);
  });
});

// ---- No `npx nxtsim` line of the README goes untested.

/** Every `npx nxtsim` command line of the README: whole lines in code blocks, inline code in prose. */
function readmeNxtsimLines(): string[] {
  const found: string[] = [];
  let inBlock = false;
  for (const line of README.split("\n")) {
    if (line.startsWith("```")) inBlock = !inBlock;
    else if (!line.includes("npx nxtsim ")) continue;
    else if (inBlock) found.push(normalise(line.replace(/^\$ /, "")));
    else found.push(...[...line.matchAll(/`([^`]*npx nxtsim [^`]*)`/g)].map((m) => normalise(m[1]!)));
  }
  return found;
}

describe("the README's `npx nxtsim` lines", () => {
  it("are each run by a test: walk-through, usage block, `npm start` example, or \"Looking at a run\" (trace.test.ts)", () => {
    const looking = lookingAtARunCommands();
    // Usage lines are covered through their synopses, which the usage-block tests check against SYNOPSES.
    const covered = new Set(
      [...STEPS.flatMap((s) => [s.command, ...s.shown]), ...usageLines(), ...NPM_START, ...looking.commands, looking.commentLine ?? ""].map(normalise),
    );
    const lines = readmeNxtsimLines();
    expect(lines.length).toBeGreaterThan(20);
    const untested = lines.filter((l) => !covered.has(l));
    expect(untested, "README lines no test runs: add them to the walk-through, SYNOPSES or trace.test.ts").toEqual([]);
  });
});

// explore/merge --summary-md FILE: the result as GitHub job-summary Markdown (what a workflow
// appends to $GITHUB_STEP_SUMMARY): the counts new and known, each new failure with its replay
// command (and its shrunk repro's, with --shrink) and a Mermaid sequence diagram of its run,
// and one row per known cause. Each picture is also written as a .mmd file beside FILE.

import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

import type { ExploreResult } from "../harness/explore-result.ts";
import { runOnce } from "../harness/explore-run.ts";
import { renderMermaid } from "../harness/pictures/mermaid.ts";
import { loadRepro, runRepro } from "../harness/repro.ts";
import type { DistinctFailure } from "../harness/tally.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { describeStrategy } from "../sim/strategies/index.ts";
import type { ScenarioLimits } from "../catalog/limits.ts";
import { resolveScenario } from "./args.ts";
import type { ShrinkNote } from "./explore-shrink.ts";
import { writeOutputFile } from "./output-file.ts";
import { countsLine, describeFaults } from "./report.ts";

/** Pictures drawn: the first this many new failures, at most this many arrows and notes each. */
export const SUMMARY_PICTURES = 10;
export const SUMMARY_PICTURE_ITEMS = 150;

/** The folder beside FILE that holds the pictures: summary.md -> summary-pictures/. */
export function picturesDir(file: string): string {
  return join(dirname(file), `${file.replace(/^.*\//, "").replace(/\.md$/, "")}-pictures`);
}

/** The trace a failure's picture draws: its shrunk repro's when there is one, else its own run. */
function traceOf(d: DistinctFailure, result: ExploreResult, note: ShrinkNote | undefined, limits: ScenarioLimits | undefined): readonly TraceEvent[] {
  const repro = note?.replay?.replace(/^npx nxtsim replay --repro /, "");
  if (repro !== undefined) {
    const { repro: r, scenario } = loadRepro(repro, limits);
    return runRepro(r, scenario).sim.trace;
  }
  const { scenario } = resolveScenario(d.scenario, limits, d.seed);
  const s = result.spec;
  return runOnce(scenario, { seed: d.seed, faults: d.faults, strategy: s.strategy, fixes: s.fixes, mutants: s.mutants, ...(s.unit === undefined ? {} : { unit: s.unit }), ...(s.maxSteps === null ? {} : { maxSteps: s.maxSteps }) }).sim.trace;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
/** Text in a table cell: a "|" would end the cell. */
const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The Markdown, and the pictures to write (file name -> Mermaid text). */
export function summaryMarkdown(result: ExploreResult, shrunk: ReadonlyMap<DistinctFailure, ShrinkNote> | undefined, pictureDir: string, limits?: ScenarioLimits): { markdown: string; pictures: Map<string, string> } {
  const fresh = result.distinct.filter((d) => d.cause === null);
  const known = result.distinct.filter((d) => d.cause !== null);
  const total = (ds: readonly DistinctFailure[]) => ds.reduce((n, d) => n + d.count, 0);
  const s = result.spec;
  const list = (xs: readonly string[]) => (xs.length === 0 ? "none" : xs.join(", "));
  const out: string[] = [
    `## nxtsim: ${countsLine(result.distinct)}`,
    "",
    `${result.runs} runs over ${result.perScenario.length} scenario${result.perScenario.length === 1 ? "" : "s"} (base seed ${s.baseSeed}, strategy ${describeStrategy(s.strategy)}, stopped by ${result.stoppedBy}; fixes: ${list(s.fixes)}; mutants: ${list(s.mutants)}).`,
    "",
    "| failures | distinct | count |",
    "|---|---:|---:|",
    `| new (no known fix removes them) | ${fresh.length} | ${total(fresh)} |`,
    `| known (a known fix removes them) | ${known.length} | ${total(known)} |`,
    "",
  ];
  const pictures = new Map<string, string>();
  if (fresh.length > 0) out.push("### New failures", "");
  fresh.forEach((d, i) => {
    const note = shrunk?.get(d);
    out.push(`#### ${i + 1}. ${code(d.check)} on ${code(d.scenario)}`, "", d.reason.replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;")), "");
    out.push(`${d.count} failure${d.count === 1 ? "" : "s"}; first seed ${d.seed} (run ${d.run}); faults: ${describeFaults(d.faults)}.`, "");
    out.push("```sh", d.replay);
    if (note?.replay) out.push(`${note.replay}   # shrunk; ${note.detail}`);
    out.push("```", "");
    if (note !== undefined && note.replay === null) out.push(`(${note.detail})`, "");
    if (i < SUMMARY_PICTURES) {
      const name = `new-${i + 1}.mmd`;
      const mermaid = renderMermaid(traceOf(d, result, note, limits), { maxItems: SUMMARY_PICTURE_ITEMS });
      pictures.set(name, mermaid);
      out.push(`<details><summary>the ${note?.replay ? "shrunk " : ""}run as a sequence diagram (${join(pictureDir, name)})</summary>`, "", "```mermaid", mermaid.trimEnd(), "```", "", "</details>", "");
    }
  });
  if (fresh.length > SUMMARY_PICTURES) out.push(`(pictures of the first ${SUMMARY_PICTURES} new failures only)`, "");
  if (known.length > 0) {
    out.push("### Known failures", "", "| cause | failures | distinct | checks | replay |", "|---|---:|---:|---|---|");
    const causes = [...new Set(known.map((d) => d.cause!))].sort();
    for (const cause of causes) {
      const ds = known.filter((d) => d.cause === cause);
      const checks = [...new Set(ds.map((d) => d.check))].join(", ");
      out.push(`| ${cause} | ${total(ds)} | ${ds.length} | ${checks} | ${cell(code(ds[0]!.replay))} |`);
    }
    out.push("");
  }
  if (result.distinct.length === 0) out.push("No failures.", "");
  return { markdown: out.join("\n"), pictures };
}

/** Writes FILE and its pictures. */
export function writeSummaryMarkdown(file: string, result: ExploreResult, shrunk?: ReadonlyMap<DistinctFailure, ShrinkNote>, limits?: ScenarioLimits): void {
  const dir = picturesDir(file);
  const { markdown, pictures } = summaryMarkdown(result, shrunk, dir, limits);
  if (pictures.size > 0) mkdirSync(dir, { recursive: true });
  for (const [name, text] of pictures) writeOutputFile("--summary-md", join(dir, name), text);
  writeOutputFile("--summary-md", file, markdown);
}


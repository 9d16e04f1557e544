// shrink tells its result: the minimal scenario pretty-printed under a description of its own,
// what was removed, and the fault kinds the failure does not need switched off (rate 0), the
// repro still failing the same check; the kinds it needs are kept.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { prettyJson } from "../../cli/pretty-json.ts";
import { checkRun } from "../../harness/checks.ts";
import { loadRepro, runRepro } from "../../harness/repro.ts";
import { removedItems, type ShrunkRun } from "../../harness/shrink-report.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { runMain } from "./helpers.ts";

const run = runMain;

// shrink writes its repro under ./results: run from a scratch folder.
const home = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), "nxtsim-shrink-"));
beforeAll(() => process.chdir(scratch));
afterAll(() => {
  process.chdir(home);
  rmSync(scratch, { recursive: true, force: true });
});

describe("shrink of a notify-twice failure found with three fault kinds", () => {
  const FAULTS = { sendFail: 0.02, cloneFail: 0.02, killAtStep: 0.01 };
  let out = "";
  beforeAll(async () => {
    const r = await run(["shrink", "2", "--scenario", "shutdown-sigquit", "--mutant", "notify-twice", "--faults", JSON.stringify(FAULTS)]);
    expect(r.code).toBe(1);
    out = r.out;
  });
  const repro = () => loadRepro(join(scratch, /^replay: npx nxtsim replay --repro (\S+)$/m.exec(out)![1]!));

  it("switches off the kinds it does not need, keeps the one it does, and the repro still fails the check", () => {
    expect(out).toMatch(/^shrunk: remove-pid-once: /m);
    expect(out).toMatch(/^faults: killAtStep 0\.01$/m);
    expect(out).toMatch(/^ {2}- faults: cloneFail, sendFail \(rate 0: the failure shows without them\)$/m);
    const { repro: r, scenario } = repro();
    expect(r.faults).toEqual({ cloneFail: 0, sendFail: 0, sendLost: 0, killAtStep: 0.01, mapWriteFail: 0 });
    const replayed = runRepro(r, scenario);
    expect(checkRun({ scenario, ...replayed }).map((f) => f.check)).toContain("remove-pid-once");
    // The kind kept was needed: the shrunk run injects a kill.
    expect(replayed.sim.trace.some((e) => e.kind === "fault" && e.fault === "kill")).toBe(true);
  });

  it("says what it removed and prints the scenario pretty, with a description of the shrunk run", () => {
    const removed = out.slice(out.indexOf("removed:\n"), out.indexOf("scenario:\n"));
    expect(removed).toMatch(/^ {2}- actions: 1 of 1$/m);
    expect(removed).toMatch(/^ {2}- schedule: \d+ -> \d+ choices$/m);
    const block = out.slice(out.indexOf("scenario:\n") + "scenario:\n".length, out.indexOf("\nreplay: "));
    expect(block.split("\n").length).toBeGreaterThan(10);
    expect(block.split("\n").every((l) => l.length <= 200)).toBe(true);
    const scenario = JSON.parse(block) as { description: string };
    expect(scenario).toEqual(repro().repro.scenario);
    expect(scenario.description).toBe(
      "Shrunk by nxtsim shrink from scenario shutdown-sigquit, seed 2, to a run failing remove-pid-once: 1 application: a (1 process); no actions.",
    );
    expect(readFileSync(join(scratch, "results", /repro-\w+\.json/.exec(out)![0]), "utf8")).toContain("Shrunk by nxtsim shrink");
  });
});

describe("what shrink says it removed", () => {
  const app = (processes: number, namespaces: string[], maps: boolean): Json => ({
    type: "python",
    module: "wsgi",
    processes,
    isolation: {
      namespaces: Object.fromEntries(namespaces.map((n) => [n, true])),
      ...(maps ? { uidmap: [{ container: 0, host: 500000, size: 1 }], gidmap: [{ container: 0, host: 500000, size: 1 }] } : {}),
    },
  });
  const scenario = (apps: Record<string, Json>, actions: number): Json => ({ name: "s", config: { applications: apps }, actions: Array.from({ length: actions }, () => ({})) });

  it("apps, processes, namespaces, maps, actions, faults and schedule length", () => {
    const original = scenario({ a: app(2, ["credential", "pid", "network"], true), b: app(1, [], false) }, 3);
    const shrunk = { scenario: scenario({ a: app(1, ["pid"], false) }, 1), droppedFaults: ["sendFail"], schedule: [0, 1, 0] } as unknown as ShrunkRun;
    expect(removedItems(original, shrunk, 40)).toEqual([
      "applications: b",
      "processes of a: 2 -> 1",
      "namespaces of a: credential, network",
      "id maps of a: uidmap, gidmap",
      "actions: 2 of 3",
      "faults: sendFail (rate 0: the failure shows without them)",
      "schedule: 40 -> 3 choices",
    ]);
  });

  it("nothing when nothing was", () => {
    const s = scenario({ a: app(1, ["pid"], false) }, 0);
    expect(removedItems(s, { scenario: s, droppedFaults: [], schedule: [1] } as unknown as ShrunkRun, 1)).toEqual([]);
  });
});

describe("prettyJson", () => {
  it("keeps what fits on a line on one line, indents the rest, and parses back", () => {
    const v = { a: [1, 2], b: { c: "x".repeat(120), d: [] }, e: {} };
    const text = prettyJson(v);
    expect(text).toBe(`{\n  "a": [1,2],\n  "b": {\n    "c": "${"x".repeat(120)}",\n    "d": []\n  },\n  "e": {}\n}`);
    expect(JSON.parse(text)).toEqual(v);
  });
});

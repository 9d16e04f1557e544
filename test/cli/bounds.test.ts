// The CLI's bounds on work: --limit on the commands that load a scenario (check included), and
// repro files that take seeds as the command line does. In-process (runMain): no node spawned.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { parseLimit } from "../../catalog/limits.ts";
import { limitArgs } from "../../cli/args.ts";
import { runMain } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nxtsim-bounds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

const manyProcesses = {
  config: {
    listeners: { "*:8080": { pass: "applications/a" } },
    applications: { a: { type: "python", module: "wsgi", processes: 3000, user: "nobody" } },
  },
};

describe("--limit", () => {
  const path = file("many.json", manyProcesses);

  it("check refuses 3,000 processes in one line, and accepts them with the limits raised", async () => {
    const refused = await runMain(["check", path]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^\S+many\.json: config\/applications\/a\/processes: 3000 processes are more than the limit of 128 per application \(.*--limit app-processes=N raises it\)\n$/);
    const raised = await runMain(["check", path, "--limit", "app-processes=3000", "--limit", "processes=3000"]);
    expect(raised).toEqual({ code: 0, out: "ok\n", err: "" });
  });

  it("replay, trace, explore and shrink refuse it as bad usage before any run", async () => {
    for (const argv of [["replay", "1", "--scenario", path], ["trace", "1", "--scenario", path], ["explore", path, "--runs", "1"], ["shrink", "1", "--scenario", path]]) {
      const r = await runMain(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(/^nxtsim: error: \S+many\.json: config\/applications\/a\/processes: 3000 processes are more than the limit/);
    }
  });

  it("the limits in force are passed on to the shrink explore --shrink starts (only the raised ones)", () => {
    expect(limitArgs()).toEqual([]);
    expect(limitArgs(parseLimit("depth=5", parseLimit("app-processes=3000")))).toEqual(["--limit", "app-processes=3000", "--limit", "depth=5"]);
  });

  it("a bad --limit is bad usage", async () => {
    expect(await runMain(["check", path, "--limit", "processes=-1"])).toEqual({
      code: 2,
      out: "",
      err: 'nxtsim: error: --limit must be NAME=N with NAME one of app-processes, processes, applications, actions, depth, file-size, got "processes=-1"\n',
    });
  });
});

describe("repro files take seeds as the command line does", () => {
  const repro = (seed: unknown) => ({ nxtsim: "repro/1", scenario: { name: "boot", config: {} }, seed, faults: {}, fixes: [], mutants: [], schedule: null, check: null });

  it.each([[-5], [3.7], [1e308], ["12abc"], [true]])("seed %j is refused in one line", async (seed) => {
    const r = await runMain(["replay", "--repro", file("r.json", repro(seed))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nxtsim: error: \S+r\.json: seed must be (a non-negative integer|at most \d+), got /);
    expect(r.err.split("\n")).toHaveLength(2);
  });

  it("a seed the command line takes replays as that seed, written as a number or a string", async () => {
    const asNumber = await runMain(["replay", "--repro", file("n.json", repro(7))]);
    const asString = await runMain(["replay", "--repro", file("s.json", repro("7"))]);
    const fromSeed = await runMain(["replay", "7", "--scenario", file("boot.json", { config: {} })]);
    const hash = (out: string) => /^trace hash: (\w+)$/m.exec(out)?.[1];
    expect(asNumber.code).toBe(0);
    expect(hash(asNumber.out)).toBeDefined();
    expect(hash(asString.out)).toBe(hash(asNumber.out));
    expect(hash(fromSeed.out)).toBe(hash(asNumber.out));
  });
});

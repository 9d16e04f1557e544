// What a user who mistypes gets: commander's "did you mean" for a command or an option, kept
// on the one error line, and the line and column of a JSON error in a file they gave.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain } from "./helpers.ts";


const run = runMain;

describe("did you mean", () => {
  it.each([
    [["explor", "--runs", "1"], "nxtsim: error: unknown command 'explor' (Did you mean explore?)\n"],
    [["explore", "--rnus", "5"], "nxtsim: error: unknown option '--rnus' (Did you mean --runs?)\n"],
    [["replay", "1", "--scenaro", "x"], "nxtsim: error: unknown option '--scenaro' (Did you mean --scenario?)\n"],
    [["shrink", "1", "--scenario", "x", "--chek", "y"], "nxtsim: error: unknown option '--chek' (Did you mean --check?)\n"],
  ])("%j", async (argv, line) => {
    const r = await run(argv);
    expect(r).toEqual({ code: 2, out: "", err: line });
  });

  it("nothing close: no suggestion, still one line", async () => {
    expect(await run(["explore", "--zzzzzz"])).toEqual({ code: 2, out: "", err: "nxtsim: error: unknown option '--zzzzzz'\n" });
  });
});

describe("a JSON error says where", () => {
  const dir = mkdtempSync(join(tmpdir(), "nxtsim-hints-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("in a scenario (check): a trailing comma on line 4", async () => {
    const path = file("s.json", '{\n  "name": "x",\n  "unitd": {},\n}\n');
    const r = await run(["check", path]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${path}: line 4, column 1: not valid JSON: .*\\n$`));
  });

  it("in a repro (replay --repro): the text ends on line 2", async () => {
    const path = file("r.json", '{"nxtsim": "repro/1",\n "seed": ');
    const r = await run(["replay", "--repro", path]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nxtsim: error: .*r\.json: line 2, column 10: not valid JSON: Unexpected end of JSON input\n$/);
  });

  it("in a result file (merge)", async () => {
    const path = file("m.json", '{\n"format": 1 2}');
    const r = await run(["merge", path]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nxtsim: error: .*m\.json: line 2, column 13: not valid JSON: /);
  });
});

// --unit VERSION end to end: check validates by the version's rules and says what of it is not
// modelled; replay, trace and explore run it and say so; a repro and a result file record it;
// replaying the repro runs it again; merge refuses results of two versions.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { writeRepro, loadRepro } from "../../harness/repro.ts";
import { noFaults } from "../../sim/index.ts";
import { shrinkArgs } from "../../cli/explore-shrink.ts";
import { expectOneLineError, REPO, runNxtsim, scratchDir } from "./helpers.ts";

const scratch = scratchDir();
const shipped = (name: string) => JSON.parse(readFileSync(join(REPO, "fixtures", "scenarios", `${name}.json`), "utf8")) as Record<string, unknown>;

/** one-app-isolated whose app asks for no_new_privs: "new_privs" exists from 763396b8 on. */
function newPrivsScenario(): string {
  const s = shipped("one-app-isolated");
  const apps = (s["config"] as { applications: Record<string, { isolation: Record<string, unknown> }> }).applications;
  Object.values(apps)[0]!.isolation["new_privs"] = false;
  s["name"] = "new-privs";
  const file = join(scratch, "new-privs.json");
  writeFileSync(file, JSON.stringify(s));
  return file;
}

describe("nxtsim --unit", () => {
  it("check: c8d9106a rejects new_privs as Unit did, 1.35 accepts it and names the version", async () => {
    const file = newPrivsScenario();
    const old = await runNxtsim(["check", file], scratch);
    expectOneLineError(old);
    expect(old.stderr).toContain('Unknown parameter "new_privs"');
    const v135 = await runNxtsim(["check", file, "--unit", "1.35"], scratch);
    expect(v135.code).toBe(0);
    expect(v135.stdout).toBe("ok");
    expect(v135.stderr.trim()).toBe("checked with the rules of Unit 1.35");
  });

  it("the exhaustive search runs the version, says so, and its counterexample's repro records it", async () => {
    const small = join(REPO, "fixtures", "exhaustive", "one-app-pid-isolated.json");
    const r = await runNxtsim(["explore", "--strategy", "exhaustive", small, "--unit", "1.35", "--mutant", "creds-before-created", "--time", "60"], scratch);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^version: Unit 1\.35$/m);
    const repro = /replay: npx nxtsim replay --repro (\S+)/.exec(r.stdout)![1]!;
    expect(loadRepro(join(scratch, repro)).repro.unit).toBe("1.35");
  });

  it("an unknown version is one line of bad usage", async () => {
    const r = await runNxtsim(["replay", "1", "--scenario", "boot-only", "--unit", "1.34"], scratch);
    expectOneLineError(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown Unit version "1.34" (known: c8d9106a, 1.35)');
  });

  it("replay runs the version and says so; a repro recording it replays it, and takes no --unit beside it", async () => {
    const direct = await runNxtsim(["replay", "1", "--scenario", "one-app-isolated", "--unit", "1.35"], scratch);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toMatch(/^version: Unit 1\.35$/m);
    const hash = /trace hash: (\w+)/.exec(direct.stdout)![1]!;
    const old = await runNxtsim(["replay", "1", "--scenario", "one-app-isolated"], scratch);
    expect(old.code).toBe(1); // #633 at c8d9106a
    expect(old.stdout).not.toContain("version:");

    const path = writeRepro({ nxtsim: "repro/1", scenario: shipped("one-app-isolated") as never, seed: 1, faults: noFaults(), fixes: [], mutants: [], schedule: null, check: null, unit: "1.35" }, scratch);
    expect(JSON.parse(readFileSync(path, "utf8")).unit).toBe("1.35");
    expect(loadRepro(path).repro.unit).toBe("1.35");
    const replayed = await runNxtsim(["replay", "--repro", path], scratch);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(`trace hash: ${hash}`);
    expectOneLineError(await runNxtsim(["replay", "--repro", path, "--unit", "1.35"], scratch));
  });

  it("explore records the version in its result and replay lines; merge refuses two versions in one line", async () => {
    const a = join(scratch, "a.json");
    const b = join(scratch, "b.json");
    const v135 = await runNxtsim(["explore", "boot-only", "--runs", "2", "--unit", "1.35", "--json", a], scratch);
    expect(v135.code).toBe(0);
    expect(v135.stdout).toMatch(/^version: Unit 1\.35$/m);
    expect(JSON.parse(readFileSync(a, "utf8")).spec.unit).toBe("1.35");
    expect((await runNxtsim(["explore", "boot-only", "--runs", "2", "--json", b], scratch)).code).toBe(0);
    expect(JSON.parse(readFileSync(b, "utf8")).spec.unit).toBeUndefined();
    const merged = await runNxtsim(["merge", a, b], scratch);
    expectOneLineError(merged);
    expect(merged.stderr).toContain('(--unit "1.35" vs "c8d9106a")');
  });

  it("trace draws a 1.35 run by message name; shrink's arguments for a failure of a 1.35 exploration carry --unit", async () => {
    const r = await runNxtsim(["trace", "1", "--scenario", "boot-only", "--unit", "1.35"], scratch);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("send NEW_PORT");
    expect(r.stderr).toMatch(/; Unit 1\.35$/m);
    const failure = { seed: 7, scenario: "two-apps", faults: noFaults(), check: "no-crash" } as never;
    const spec = { strategy: { name: "random" }, fixes: [], mutants: [], unit: "1.35" } as never;
    expect(shrinkArgs(failure, spec).join(" ")).toContain("--unit 1.35");
  });
});

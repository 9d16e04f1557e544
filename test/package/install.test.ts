// nxtsim installs as a package: `npm pack`, then `npm install` of the tarball into an empty
// project (from npm's cache where it can), where the CLI (`npx nxtsim ...`), the library
// example of the README (test/package/api-example.mjs) and its types work. The tarball holds
// what runs, not the tests, benches or scripts. Every temporary folder is removed.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { REPO } from "../cli/helpers.ts";

const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const scratch = mkdtempSync(join(tmpdir(), "nxtsim-pack-"));
const project = join(scratch, "project");
let files: string[] = [];

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  const packed = await execa("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: REPO });
  const [tarball] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  files = tarball!.files.map((f) => f.path);
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-nxtsim", version: "1.0.0", private: true, type: "module" }));
  await execa("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(scratch, tarball!.filename)], { cwd: project });
}, 300_000);

const inProject = (command: string, args: string[]) => execa(command, args, { cwd: project, reject: false });

describe("the packed nxtsim", () => {
  it("holds what runs (code, shipped scenarios, types), not the tests, benches or scripts", () => {
    for (const f of ["bin/nxtsim.js", "api/index.js", "api/index.ts", "types/api/index.d.ts", "cli/main.ts", "harness/explore-worker.js", "fixtures/scenarios/boot-only.json", "fixtures/bugs/633.json", "real/native/binding.gyp"]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(test|bench|scripts|fixtures\/(invalid|causes))\/|\.bundle\.mjs$|^real\/native\/build\//.test(f))).toEqual([]);
    // The repository is left as it was: the declarations are built for the tarball only.
    expect(existsSync(join(REPO, "types"))).toBe(false);
  });

  it("runs its CLI from another project: --version, scenarios, explore", async () => {
    const [version, scenarios, explore] = await Promise.all([
      inProject("npx", ["nxtsim", "--version"]),
      inProject("npx", ["nxtsim", "scenarios"]),
      inProject("npx", ["nxtsim", "explore", "--runs", "20", "--no-progress"]),
    ]);
    expect(version.stdout).toBe(VERSION);
    expect(scenarios.exitCode, scenarios.stderr).toBe(0);
    expect(scenarios.stdout.split("\n").map((l) => l.split(" ")[0])).toEqual(listScenarios().map((s) => s.name));
    expect(explore.exitCode, explore.stderr).toBe(0);
    expect(explore.stdout).toMatch(new RegExp(`^explored 20 runs over ${listScenarios().length} scenarios in`, "m"));
  });

  it("runs the README's library example with plain node: a registered check fails a mutant's run and is applied by explore", async () => {
    copyFileSync(join(REPO, "test", "package", "api-example.mjs"), join(project, "example.mjs"));
    const r = await inProject(process.execPath, ["example.mjs"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^FAIL apps-learn-no-ports: app \d+ received a NEW_PORT from pid \d+$/m);
    expect(r.stdout).toMatch(/^explored 20 runs over 1 scenario in/m);
    expect(r.stdout).toMatch(/^checks: terminates, .*, apps-learn-no-ports$/m);
    // The default model has known failures (each with its cause), none new: the new check holds on it.
    expect(r.stdout).toMatch(/^0 new, \d+ known \(\d+ causes?\)$/m);
    expect(r.stdout).not.toMatch(/apps-learn-no-ports on /);
  });

  it("gives TypeScript its types", async () => {
    writeFileSync(
      join(project, "typed.ts"),
      [
        `import { explore, registerCheck, scenarioByName, type Check, type ExploreResult } from "nxtsim";`,
        `const quiet: Check = { name: "quiet", claim: "nothing to say", check: () => [] };`,
        `registerCheck(quiet);`,
        `const found = scenarioByName("boot-only");`,
        `if (found.ok) {`,
        `  const result: ExploreResult = await explore({ scenarios: [found.scenario], runs: 2 });`,
        `  console.log(result.distinct.length);`,
        `  // @ts-expect-error runs is a number`,
        `  await explore({ scenarios: [found.scenario], runs: "2" });`,
        `}`,
      ].join("\n"),
    );
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    const flags = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"];
    const r = await inProject(process.execPath, [tsc, ...flags, "--typeRoots", join(REPO, "node_modules", "@types"), "--types", "node", "typed.ts"]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

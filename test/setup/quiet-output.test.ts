// Test output without stray stdout blocks: what tests print is shown only when NXTSIM_PRINT=1
// asks (vitest.config.ts). Shown on a test file that prints (how soon the suite catches each
// mutant), run by vitest as npm test runs it.

import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

import { REPO } from "../cli/helpers.ts";

const PRINTS = "test/properties/mutants.test.ts";

/** The environment without this vitest's own variables, so the inner run is a run of its own. */
function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...extra };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "TEST" || key === "NODE_ENV" || key === "FORCE_COLOR") delete env[key];
  return env;
}

const vitest = (extra: Record<string, string>) =>
  execa(process.execPath, [join(REPO, "node_modules", "vitest", "vitest.mjs"), "run", PRINTS], { cwd: REPO, reject: false, extendEnv: false, env: cleanEnv(extra) });

describe("what tests print", () => {
  it("is left out by default, and shown with NXTSIM_PRINT=1", async () => {
    const quiet = await vitest({ NXTSIM_PRINT: "" });
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/Tests .*passed/);
    expect(quiet.stdout).not.toMatch(/stdout \|/);
    const loud = await vitest({ NXTSIM_PRINT: "1" });
    expect(loud.exitCode).toBe(0);
    expect(loud.stdout).toMatch(/stdout \| test\/properties\/mutants\.test\.ts/);
  });
});

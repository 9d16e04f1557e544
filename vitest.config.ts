import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A private TMPDIR per run, checked empty at the end (test/setup/global-setup.ts).
    globalSetup: ["test/setup/global-setup.ts"],
    // What tests print on stdout (the litmus real test's table of outcomes, how soon the suite
    // catches each mutant, ...) is shown with NXTSIM_PRINT=1 only; stderr (skip reasons,
    // warnings) always.
    onConsoleLog: (_log, type) => (type === "stdout" && !process.env["NXTSIM_PRINT"] ? false : undefined),
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

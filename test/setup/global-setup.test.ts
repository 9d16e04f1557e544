// The run's temporary-folder check (test/setup/global-setup.ts) fails on what a test leaves.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { setup } from "./global-setup.ts";

describe("the temporary-folder check", () => {
  const exitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = exitCode;
  });

  it("this run's tests make their temporary files in the run's own folder", () => {
    expect(tmpdir()).toMatch(/nxtsim-testrun-[^/]+$/);
  });

  it("names what was left behind, fails the run, and removes the folder", () => {
    const outer = tmpdir();
    const teardown = setup();
    const dir = tmpdir();
    expect(dir).not.toBe(outer);
    mkdirSync(join(dir, "nxtsim-bugs-x1"));
    writeFileSync(join(dir, "stray.json"), "{}");
    mkdirSync(join(dir, "tsx-0")); // tsx's cache is not counted
    expect(teardown).toThrow("tests left 2 entries in the temporary folder: nxtsim-bugs-x1, stray.json");
    expect(process.exitCode).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(tmpdir()).toBe(outer);
  });

  it("passes when the folder is left empty", () => {
    const teardown = setup();
    const dir = tmpdir();
    expect(teardown).not.toThrow();
    expect(existsSync(dir)).toBe(false);
  });
});

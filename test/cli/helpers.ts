// Running nxtsim as a user runs it (node bin/nxtsim.js, or a printed `npx nxtsim ...` line),
// shared by the end-to-end tests of test/cli.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { execa } from "execa";
import { afterAll, expect } from "vitest";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(REPO, "bin", "nxtsim.js");

export interface CliResult {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** A fresh directory, removed after the calling test file. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "nxtsim-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs nxtsim from `cwd` (a neutral one, so nothing depends on running from the repository
 * root), with `env` added and without NXTSIM_DEBUG (so errors look as users see them).
 */
export async function runNxtsim(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { NXTSIM_DEBUG: "", ...env } });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a printed `npx nxtsim ...` command line through the shell, with this checkout's launcher. */
export async function runPrinted(command: string, cwd: string): Promise<CliResult> {
  expect(command.startsWith("npx nxtsim ")).toBe(true);
  const line = `"${process.execPath}" "${BIN}" ${command.slice("npx nxtsim ".length)}`;
  const r = await execa(line, { shell: true, cwd, reject: false });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: nothing on stdout, one line on stderr, no stack trace. */
export function expectOneLineError(r: CliResult): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeUndefined();
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:|node:internal|\.ts:\d+/);
}

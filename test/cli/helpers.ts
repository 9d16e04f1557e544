// Running nxtsim as a user does (node bin/nxtsim.js), for the end-to-end tests of test/cli.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { execa } from "execa";
import { expect } from "vitest";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(REPO, "bin", "nxtsim.js");

export interface Ran {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs nxtsim in `cwd`, without NXTSIM_DEBUG (so errors look as users see them). */
export async function runNxtsim(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  const r = await execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { NXTSIM_DEBUG: "", ...env } });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** A failure reported the way every user-facing error must be: one line, no stack trace. */
export function expectOneLineError(r: Ran): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeUndefined();
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:|node:internal|\.ts:\d+/);
}

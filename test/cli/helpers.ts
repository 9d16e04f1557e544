// Running nxtsim as a user runs it (node bin/nxtsim.js, or a printed `npx nxtsim ...` line),
// shared by the end-to-end tests of test/cli.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/** The README, which test/cli checks command by command. */
export const README = readFileSync(join(REPO, "README.md"), "utf8");

/** A README section: from its heading ("## Title") to the next heading of the same level. */
export function readmeSection(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const level = heading.slice(0, heading.indexOf(" "));
  const end = README.indexOf(`\n${level} `, start + heading.length + 1);
  return README.slice(start + 1, end < 0 ? undefined : end + 1);
}

/** The bodies of the fenced code blocks of `text` whose language is `lang`. */
export function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))].map((m) => m[1]!);
}

/** What test/cli/trace.test.ts runs of "Looking at a run": its trace commands and the PR-comment line. */
export function lookingAtARunCommands(): { commands: string[]; commentLine: string | undefined } {
  const lines = codeBlocks(readmeSection("## Looking at a run"), "sh").flatMap((b) => b.split("\n"));
  return {
    commands: lines.filter((l) => l.startsWith("npx nxtsim trace ")),
    commentLine: lines.find((l) => l.startsWith("{ echo '```mermaid'")),
  };
}

/** Runs the CLI's main() in this process, as a user's argv; what it printed and its exit code. */
export async function runMain(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import("../../cli/main.ts");
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

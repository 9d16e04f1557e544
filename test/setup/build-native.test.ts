// build:native finds the headers of the node that runs it, wherever that node was installed,
// and says what is missing when it cannot. Shown with a node installed elsewhere: a folder
// <prefix>/bin/node (a symlink to this node, as version managers make) with <prefix>/include/node
// (a symlink to this node's headers), and folders that lack the headers or have another version's.

import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

// @ts-expect-error a plain .mjs script, without declarations
import { findNodeDir } from "../../scripts/build-native.mjs";
import { REPO } from "../cli/helpers.ts";

const SCRIPT = join(REPO, "scripts", "build-native.mjs");
const here = (findNodeDir() as { dir: string | null }).dir;
const scratch = mkdtempSync(join(tmpdir(), "nxtsim-nodedir-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** <prefix>/bin/node -> this node; <prefix>/include/node -> `include` when given. */
function installedAt(name: string, include: string | null): string {
  const prefix = join(scratch, name);
  mkdirSync(join(prefix, "bin"), { recursive: true });
  symlinkSync(process.execPath, join(prefix, "bin", "node"));
  if (include !== null) {
    mkdirSync(join(prefix, "include"));
    symlinkSync(include, join(prefix, "include", "node"));
  }
  return prefix;
}

const run = (node: string, args: string[], env: Record<string, string> = {}) =>
  execa(node, [SCRIPT, ...args], { reject: false, env: { NXTSIM_NODEDIR: "", ...env } });

describe.skipIf(here === null)("build:native with node's headers elsewhere", () => {
  const headers = join(here ?? "", "include", "node");

  it("finds them next to the node binary as run, and builds the addon with them", async () => {
    const prefix = installedAt("vm", headers);
    const found = await run(join(prefix, "bin", "node"), ["--print-nodedir"]);
    expect(found.stdout).toBe(prefix);
    expect(prefix).not.toBe(here);
    // A copy of the addon's sources, so the checkout's build is left alone.
    const addon = join(scratch, "addon");
    mkdirSync(addon);
    cpSync(join(REPO, "real", "native", "binding.gyp"), join(addon, "binding.gyp"));
    cpSync(join(REPO, "real", "native", "src"), join(addon, "src"), { recursive: true });
    const built = await run(join(prefix, "bin", "node"), ["--directory", addon]);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(existsSync(join(addon, "build", "Release", "nxtsim_native.node"))).toBe(true);
    expect(built.stdout + built.stderr).not.toMatch(/gyp info/);
  });

  it("NXTSIM_NODEDIR names the folder outright", async () => {
    const prefix = installedAt("named", headers);
    const found = await run(process.execPath, ["--print-nodedir"], { NXTSIM_NODEDIR: prefix });
    expect(found.stdout).toBe(prefix);
  });
});

describe("build:native without the headers says what is missing", () => {
  it("a folder without include/node", async () => {
    const prefix = installedAt("bare", null);
    const r = await run(process.execPath, ["--print-nodedir"], { NXTSIM_NODEDIR: prefix });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`build-native: no headers of node ${process.versions.node} (include/node/node_api.h, common.gypi, node_version.h) found; looked in:\n`);
    expect(r.stderr).toContain(`  ${prefix} (NXTSIM_NODEDIR): no ${join(prefix, "include", "node", "node_api.h")}\n`);
    expect(r.stderr).toMatch(/set NXTSIM_NODEDIR to the\nfolder holding include\/node/);
  });

  it("another node's headers", async () => {
    const other = join(scratch, "old-headers");
    mkdirSync(other);
    writeFileSync(join(other, "node_api.h"), "");
    writeFileSync(join(other, "common.gypi"), "{}");
    writeFileSync(join(other, "node_version.h"), "#define NODE_MAJOR_VERSION 18\n#define NODE_MINOR_VERSION 1\n#define NODE_PATCH_VERSION 0\n");
    const prefix = installedAt("old", other);
    const r = await run(process.execPath, ["--print-nodedir"], { NXTSIM_NODEDIR: prefix });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`  ${prefix} (NXTSIM_NODEDIR): headers of node 18.1.0, not ${process.versions.node}\n`);
  });
});

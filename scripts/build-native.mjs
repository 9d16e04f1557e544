// npm run build:native: builds the real backend's addon with node-gyp against the headers of
// the node that runs this script, found on this machine, never downloaded. Where they are
// depends on how node was installed: next to the binary as run (a version manager's symlink),
// next to the binary it resolves to (setup-node, nvm, a tarball: <prefix>/bin/node and
// <prefix>/include/node), the prefix node was built with (distribution packages: /usr), or
// node-gyp's own cache of headers it downloaded before. NXTSIM_NODEDIR=DIR names it outright.
// When none has them, one paragraph says where it looked and what to install; exit 1.
//
// node scripts/build-native.mjs [--print-nodedir] [--directory DIR] [--verbose]
//   --print-nodedir  print the folder found and stop (no build)
//   --directory DIR  the addon's folder (default real/native)
//   --verbose        node-gyp's info lines too (quiet by default: only warnings and errors)

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const VERSION = process.versions.node;

/** The prefix of a binary at <prefix>/bin/node. */
const prefixOf = (binary) => dirname(dirname(binary));

function candidates() {
  const out = [];
  const add = (dir, why) => {
    if (dir && !out.some((c) => c.dir === resolve(dir))) out.push({ dir: resolve(dir), why });
  };
  // Named outright, it is the only place looked in.
  if (process.env.NXTSIM_NODEDIR) return [{ dir: resolve(process.env.NXTSIM_NODEDIR), why: "NXTSIM_NODEDIR" }];
  if (process.argv0.includes("/")) add(prefixOf(resolve(process.argv0)), `next to ${process.argv0}`);
  add(prefixOf(process.execPath), `next to ${process.execPath}`);
  add(process.config.variables.node_prefix, "node's build prefix (process.config)");
  const cache = process.env.npm_config_devdir ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "node-gyp");
  add(join(cache, VERSION), "node-gyp's header cache");
  return out;
}

/** What a folder lacks to be node-gyp's --nodedir for this node, or null when it has it all. */
function lacks(dir) {
  const include = join(dir, "include", "node");
  for (const file of ["node_api.h", "common.gypi", "node_version.h"]) {
    if (!existsSync(join(include, file))) return `no ${join(include, file)}`;
  }
  const h = readFileSync(join(include, "node_version.h"), "utf8");
  const part = (name) => new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(h)?.[1];
  const found = `${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`;
  return found === VERSION ? null : `headers of node ${found}, not ${VERSION}`;
}

export function findNodeDir() {
  const looked = candidates().map((c) => ({ ...c, problem: lacks(c.dir) }));
  const found = looked.find((c) => c.problem === null);
  return found ? { dir: found.dir, looked } : { dir: null, looked };
}

function main(argv) {
  const flag = (name) => argv.includes(name);
  const at = argv.indexOf("--directory");
  const directory = at >= 0 ? argv[at + 1] : join(REPO, "real", "native");
  const { dir, looked } = findNodeDir();
  if (dir === null) {
    process.stderr.write(
      [
        `build-native: no headers of node ${VERSION} (include/node/node_api.h, common.gypi, node_version.h) found; looked in:`,
        ...looked.map((c) => `  ${c.dir} (${c.why}): ${c.problem}`),
        "Install them with node (the headers package of your distribution, e.g. nodejs-dev or libnode-dev, or a",
        "node from nodejs.org or a version manager, which has include/ next to bin/), or set NXTSIM_NODEDIR to the",
        `folder holding include/node. The real backend's tests skip without the addon; the simulated kernel needs none.\n`,
      ].join("\n"),
    );
    return 1;
  }
  if (flag("--print-nodedir")) {
    process.stdout.write(`${dir}\n`);
    return 0;
  }
  const nodeGyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
  const loglevel = flag("--verbose") ? [] : ["--loglevel=warn"];
  try {
    execFileSync(process.execPath, [nodeGyp, "rebuild", `--nodedir=${dir}`, `--directory=${directory}`, ...loglevel], { stdio: "inherit" });
  } catch {
    process.stderr.write(`build-native: node-gyp failed (headers from ${dir}); the lines above say why\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));

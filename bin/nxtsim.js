#!/usr/bin/env node
// nxtsim's launcher: registers tsx's ESM loader in this process, then runs the TypeScript CLI.
// Paths are taken from this file, so it works from any working directory.

import { register } from "tsx/esm/api";

register();
const { main } = await import(new URL("../cli/main.ts", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));

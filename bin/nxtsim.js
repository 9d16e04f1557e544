#!/usr/bin/env node
// nxtsim's launcher: registers tsx's ESM loader in this process, then runs the TypeScript CLI.
// Paths are taken from this file, so it works from any working directory. It runs the CLI in
// this very process (no child to pass signals on to); the CLI stops with the job that started
// it (cli/lifeline.ts), watched from before the CLI loads.

import { register } from "tsx/esm/api";

register();
const { stopWithTheJob } = await import(new URL("../cli/lifeline.ts", import.meta.url).href);
stopWithTheJob();
const { main } = await import(new URL("../cli/main.ts", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));

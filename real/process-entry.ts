// What every real process of a run does first: read its boot record and become the run's
// init or a process of the model running `program`. Each bundle entry (real/bundle.ts) is
// one call of this with its own program: real/process-main.ts runs Unit's lifecycle model.

import type { Program } from "../lifecycle/program.ts";
import { BOOT_FD_ENV, readBootRecord } from "./boot-record.ts";
import { RUN_ID_ENV, setChildCommand } from "./child-command.ts";
import { runInit } from "./init.ts";
import { runUnitProcess } from "./unit-process.ts";

export function startRealProcess(program: Program): void {
  const fd = Number(process.env[BOOT_FD_ENV]);
  if (!Number.isInteger(fd) || fd < 0) {
    process.stderr.write(`nxtsim real process: ${BOOT_FD_ENV} is not set\n`);
    process.exit(2);
  }
  const boot = readBootRecord(fd);
  setChildCommand(boot.fds, process.env[RUN_ID_ENV] ?? "");
  if (boot.role === "init") runInit(boot);
  else runUnitProcess(boot, program);
}

// Entry point of every real process of a run (bundled into one file; see real/bundle.ts).

import { BOOT_FD_ENV, readBootRecord } from "./boot-record.ts";
import { RUN_ID_ENV, setChildCommand } from "./child-command.ts";
import { runInit } from "./init.ts";
import { runUnitProcess } from "./unit-process.ts";

const fd = Number(process.env[BOOT_FD_ENV]);
if (!Number.isInteger(fd) || fd < 0) {
  process.stderr.write(`nxtsim real process: ${BOOT_FD_ENV} is not set\n`);
  process.exit(2);
}
const boot = readBootRecord(fd);
setChildCommand(boot.fds, process.env[RUN_ID_ENV] ?? "");
if (boot.role === "init") runInit(boot);
else runUnitProcess(boot);

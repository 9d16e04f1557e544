// The bundle entry of every real process of a litmus run: the suite's program instead of
// Unit's model (real/process-main.ts).

import { startRealProcess } from "../../real/process-entry.ts";
import { litmusProgram } from "./suite.ts";

startRealProcess(litmusProgram);

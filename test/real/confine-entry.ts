// The bundle entry of every real process of a confinement probe run (test/real/confine-probe.ts).

import { startRealProcess } from "../../real/process-entry.ts";
import { confineProbeProgram } from "./confine-probe.ts";

startRealProcess(confineProbeProgram);

// Entry point of every real process of a Unit run (bundled into one file; see real/bundle.ts).

import { lifecycleProgram } from "../lifecycle/index.ts";
import { startRealProcess } from "./process-entry.ts";

startRealProcess(lifecycleProgram);

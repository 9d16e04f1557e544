// Every property check, and running them over a finished run.

import type { Check, RunView, Violation } from "./check.ts";
import { noCrash, noInternalError } from "./checks/crashes.ts";
import { noDeadPortFds, noZombies, shutdownCompletes } from "./checks/end-state.ts";
import { handshakeOrder, mapsBeforeCredentials } from "./checks/handshake.ts";
import { fixupByKeepMatrix, newPortBySendMatrix, removePidByNotifyMatrix, removePidComplete, removePidOnce } from "./checks/matrices.ts";
import {
  everyAddSucceeds,
  everyRecordHasAPort,
  releasedOnce,
  tableKeysHostPids,
  tableKeysUnique,
  useCountsReturnToZero,
} from "./checks/tables.ts";

export const ALL_CHECKS: readonly Check[] = [
  noCrash,
  noInternalError,
  handshakeOrder,
  mapsBeforeCredentials,
  fixupByKeepMatrix,
  newPortBySendMatrix,
  removePidByNotifyMatrix,
  removePidOnce,
  removePidComplete,
  everyAddSucceeds,
  tableKeysHostPids,
  tableKeysUnique,
  everyRecordHasAPort,
  useCountsReturnToZero,
  releasedOnce,
  noDeadPortFds,
  noZombies,
  shutdownCompletes,
];

export function checkRun(run: RunView, checks: readonly Check[] = ALL_CHECKS): Violation[] {
  return checks.flatMap((c) => c.check(run));
}

export type { Check, RunView, Violation, KernelFacts } from "./check.ts";

// Every property check, and running them over a finished run.

import type { Check, RunView, Violation } from "./check.ts";
import { noCrash, noInternalError } from "./checks/crashes.ts";
import { configuredProcessesRunning } from "./checks/configured.ts";
import { cgroupsRemoved } from "./checks/cgroups.ts";
import { processesWithinMax } from "./checks/processes-max.ts";
import { createdBeforeReady } from "./checks/created-ready.ts";
import { noDeadPortFds, noZombies, shutdownCompletes } from "./checks/end-state.ts";
import { handshakeOrder, mapsBeforeCredentials } from "./checks/handshake.ts";
import { fixupByKeepMatrix, newPortBySendMatrix, removePidByNotifyMatrix, removePidComplete, removePidOnce } from "./checks/matrices.ts";
import { rpcEndsOnce } from "./checks/rpc.ts";
import { startRequestsAnswered, startStreamsUnique } from "./checks/starts.ts";
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
  rpcEndsOnce,
  startRequestsAnswered,
  startStreamsUnique,
  createdBeforeReady,
  configuredProcessesRunning,
  processesWithinMax,
  cgroupsRemoved,
];

/** Checks of one's own (registered through the library API), applied after ALL_CHECKS. */
const REGISTERED: Check[] = [];

/** Adds a check that every later run of this process applies after the built-in ones (harness/checks.ts registerCheck names it). */
export function addCheck(check: Check): void {
  REGISTERED.push(check);
}

/** The built-in checks and the registered ones: what explore, replay, shrink and the suite apply. */
export function activeChecks(): readonly Check[] {
  return REGISTERED.length === 0 ? ALL_CHECKS : [...ALL_CHECKS, ...REGISTERED];
}

export function checkRun(run: RunView, checks: readonly Check[] = activeChecks()): Violation[] {
  return checks.flatMap((c) => c.check(run));
}

export type { Check, RunView, Violation, KernelFacts } from "./check.ts";

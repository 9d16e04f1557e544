// The three matrices of nxt_process.c (keep, send, remove_notify), indexed by
// nxt_process_type_t, and the mutants that swap one of them for a broken table.

import { hasMutant, type ModelOptions } from "./options.ts";
import { NXT_PROCESS_CONTROLLER, NXT_PROCESS_DISCOVERY, NXT_PROCESS_PROTOTYPE } from "./state.ts";

export type ProcMatrix = readonly (readonly (0 | 1)[])[];

// keep[new child type][type of an entry in the parent's table]
export const nxtProcKeepMatrix: ProcMatrix = [
  [1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 0, 0, 1, 0, 0],
  [1, 0, 1, 1, 1, 1],
  [1, 0, 0, 1, 0, 0],
  [1, 0, 0, 1, 0, 0],
];

// send[type of the receiver's first port][type of the new port]
export const nxtProcSendMatrix: ProcMatrix = [
  [1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 0, 0, 1, 0, 0],
  [1, 0, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0],
];

// remove_notify[type of the dead process][type of the receiver's first port]
export const nxtProcRemoveNotifyMatrix: ProcMatrix = [
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 1, 0, 0],
  [0, 0, 1, 0, 1, 1],
  [0, 0, 0, 1, 0, 0],
  [1, 0, 0, 1, 0, 0],
];

// Not Unit: Unit reads the tables directly. The model reads them through these, so that a
// mutant can replace a TABLE (not a call site) and show that the properties state the
// matrices from Unit's text (properties/unit-rules.ts), not from these tables.

function flipped(m: ProcMatrix, row: number, col: number): ProcMatrix {
  return m.map((r, i) => r.map((x, j) => (i === row && j === col ? ((1 - x) as 0 | 1) : x)));
}

/** keep[PROTOTYPE][CONTROLLER] = 1: a new prototype keeps the controller's port. */
const KEEP_MATRIX_MUTATED = flipped(nxtProcKeepMatrix, NXT_PROCESS_PROTOTYPE, NXT_PROCESS_CONTROLLER);
/** send[CONTROLLER][PROTOTYPE] = 1: main tells the controller of a new prototype's port. */
const SEND_MATRIX_MUTATED = flipped(nxtProcSendMatrix, NXT_PROCESS_CONTROLLER, NXT_PROCESS_PROTOTYPE);
/** remove_notify[DISCOVERY][CONTROLLER] = 1: main tells the controller that discovery exited. */
const REMOVE_NOTIFY_MATRIX_MUTATED = flipped(nxtProcRemoveNotifyMatrix, NXT_PROCESS_DISCOVERY, NXT_PROCESS_CONTROLLER);

/** nxt_proc_keep_matrix as this run's model has it. */
export function procKeepMatrix(options: ModelOptions): ProcMatrix {
  return hasMutant(options, "keep-matrix-table") ? KEEP_MATRIX_MUTATED : nxtProcKeepMatrix;
}

/** nxt_proc_send_matrix as this run's model has it. */
export function procSendMatrix(options: ModelOptions): ProcMatrix {
  return hasMutant(options, "send-matrix-table") ? SEND_MATRIX_MUTATED : nxtProcSendMatrix;
}

/** nxt_proc_remove_notify_matrix as this run's model has it. */
export function procRemoveNotifyMatrix(options: ModelOptions): ProcMatrix {
  return hasMutant(options, "remove-notify-matrix-table") ? REMOVE_NOTIFY_MATRIX_MUTATED : nxtProcRemoveNotifyMatrix;
}

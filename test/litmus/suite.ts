// Every litmus test, and the one program that runs them all (a real process is started
// with a program, not with a litmus): each litmus's main handler under the litmus's name,
// and its other handlers under theirs, unique across the suite.

import type { Program } from "../../lifecycle/program.ts";
import { toyProgram, type Handler } from "../sim/toy-program.ts";
import { kitHandlers } from "./kit.ts";
import type { Litmus } from "./litmus.ts";
import { closeRacingSend, closeWindowRecv, dataBeforeEof, exitReleaseOrderDown, exitReleaseOrderUp, overtaking, resetBeforeData } from "./programs/messages.ts";
import { cloneChildFirst, fetchAddOrder, scmAfterReap, scmRacingReap } from "./programs/processes.ts";
import { pidOverPipe, ppollWakes, writeThenClose } from "./programs/pipes.ts";
import { orphanToNamespaceInit, orphanToSubreaper } from "./programs/reaping.ts";
import { killMidBroadcast, killThenSend, killZombie, signalBetweenSends, sigchldCoalescing } from "./programs/signals.ts";

export const LITMUS: readonly Litmus[] = [
  overtaking,
  signalBetweenSends,
  sigchldCoalescing,
  closeRacingSend,
  closeWindowRecv,
  exitReleaseOrderDown, exitReleaseOrderUp,
  killMidBroadcast,
  cloneChildFirst,
  scmAfterReap,
  scmRacingReap,
  dataBeforeEof,
  resetBeforeData,
  killZombie,
  killThenSend,
  fetchAddOrder,
  orphanToSubreaper,
  orphanToNamespaceInit,
  pidOverPipe,
  ppollWakes,
  writeThenClose,
];

function allHandlers(): Record<string, Handler> {
  const all: Record<string, Handler> = { ...kitHandlers };
  for (const litmus of LITMUS) {
    for (const [name, handler] of Object.entries({ [litmus.name]: litmus.main, ...litmus.handlers })) {
      // Variants of one program share its handlers; two different ones under one name are a mistake.
      if (name in all && all[name] !== handler) throw new Error(`litmus ${litmus.name}: handler ${name} is defined twice in the suite`);
      all[name] = handler;
    }
  }
  return all;
}

export const litmusProgram: Program = toyProgram(allHandlers());

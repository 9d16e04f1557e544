// A process of the model on the real kernel: take the planned credentials, say hello to the
// harness, then run the program's continuations (Unit's lifecycle model, or a test program)
// from Node's loop.

import type { Continuation, Json } from "../lifecycle/kernel.ts";
import { ProcessGone } from "../lifecycle/kernel.ts";
import type { Program } from "../lifecycle/program.ts";
import { readTmpJson, type UnitBoot } from "./boot-record.ts";
import { RealKernel } from "./kernel.ts";
import * as native from "./native.ts";
import { selfReport } from "./procfs.ts";

/** Exit status of a process whose model code threw (a bug of ours, reported as internal-error). */
export const INTERNAL_ERROR_STATUS = 70;

/** What the harness writes into the mailbox before it sends SIGUSR2 to `to`. */
export interface MailboxLetter {
  /** The addressee's pid as it sees itself (its /proc shows only its own namespaces). */
  to: number;
  work: Continuation;
}

export function runUnitProcess(boot: UnitBoot, program: Program): void {
  if (boot.become !== null) {
    native.setgroups([]);
    native.setresgid(boot.become.gid, boot.become.gid, boot.become.gid);
    native.setresuid(boot.become.uid, boot.become.uid, boot.become.uid);
  }
  const state = boot.image as Json;
  const k = new RealKernel(boot.fds, BigInt(boot.runStartNs), boot.kernel);
  const me = selfReport();
  k.send({ r: "hello", ticket: k.ticket(), ...me });

  // The real kernel is concurrent already: a handler runs straight through its scheduling
  // points (pausing at each in chaos mode), in one turn of Node's loop as in Unit's engine.
  const dispatch = (work: Continuation): void => {
    try {
      const handler = program.run({ state, k }, work);
      while (handler.next().done !== true) k.pause();
    } catch (err) {
      if (err instanceof ProcessGone) return;
      internalError(k, err);
    }
  };
  process.on("uncaughtException", (err) => internalError(k, err));
  process.on("SIGUSR2", () => {
    const letter = readTmpJson<MailboxLetter>(boot.fds.mailbox);
    if (letter.to === process.pid) dispatch(letter.work);
  });
  // A C process blocks in epoll for ever; Node would exit once nothing is watched.
  setInterval(() => undefined, 1 << 30);
  k.start(dispatch);
  dispatch(boot.entry);
}

function internalError(k: RealKernel, err: unknown): never {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${String(err)}`;
  process.stderr.write(`nxtsim real process ${process.pid}: internal error: ${err instanceof Error ? err.stack : message}\n`);
  k.record({ kind: "internal-error", message });
  process.exit(INTERNAL_ERROR_STATUS);
}

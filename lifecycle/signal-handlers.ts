// nxt_signal_handlers.c: the signal sets of the core processes and the port QUIT handler.
// A signal set is installed by name (the descriptor's `signals`).

import type { Ctx } from "./context.ts";
import { SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, type Signal, type Sys } from "./kernel.ts";
import type { RecvMsg } from "./port.ts";
import { processQuit } from "./process.ts";
import { runtimeQuit } from "./runtime.ts";

function install(ctx: Ctx, table: readonly (readonly [Signal, string])[]): void {
  for (const [sig, fn] of table) {
    ctx.k.sigaction(sig, { fn, arg: sig });
  }
}

/** nxt_process_signals: discovery, controller, router and apps. */
export function processSignals(ctx: Ctx): void {
  install(ctx, [
    [SIGHUP, "signalHandler"],
    [SIGINT, "signalSigtermHandler"],
    [SIGQUIT, "signalSigquitHandler"],
    [SIGTERM, "signalSigtermHandler"],
    [SIGCHLD, "signalHandler"],
    [SIGUSR1, "signalHandler"],
  ]);
}

/** nxt_signal_handler: logs and ignores. */
export function signalHandler(ctx: Ctx, sig: number): void {
  ctx.k.trace({ what: "log", text: `signal ${sig} ignored` });
}

/** nxt_signal_sigterm_handler: fast exit. */
export function* signalSigtermHandler(ctx: Ctx, _sig: number): Sys<void> {
  yield* runtimeQuit(ctx, 0);
}

/** nxt_signal_sigquit_handler: graceful exit. */
export function* signalSigquitHandler(ctx: Ctx, _sig: number): Sys<void> {
  yield* processQuit(ctx, 0);
}

/** nxt_signal_quit_handler: the QUIT port message. */
export function* signalQuitHandler(ctx: Ctx, _recv: RecvMsg): Sys<void> {
  yield* processQuit(ctx, 0);
}

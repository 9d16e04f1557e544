// nxt_main_process.c (with the boot steps of nxt_runtime.c): boot order, main's port and its
// signal table. Main's port handlers (MODULES, START_PROCESS, CREATED with the credential
// map, WHOAMI, NEW_PORT) are in main-process-ports.ts; its signal handlers (SIGTERM/SIGQUIT,
// the SIGCHLD loop with restart) in main-process-signals.ts.

import { nxtAssert, type Ctx } from "./context.ts";
import { SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, type Sys } from "./kernel.ts";
import { discoveryProcess } from "./discovery.ts";
import { portRpcInit } from "./port-rpc.ts";
import { portNew, portUse } from "./port.ts";
import { portReadEnable, portSocketInit } from "./port-socket.ts";
import { processInitStart, processPortAdd, processUse, type NxtInt } from "./process.ts";
import { runtimePortAdd, runtimeProcessGet, runtimeQuit } from "./runtime.ts";
import { NXT_PROCESS_MAIN, NXT_PROCESS_STATE_READY } from "./state.ts";
import { mainBecomesSubreaper } from "./repairs-shutdown.ts";

/** nxt_runtime_initial_start (no daemon mode, no pid file): start main, or quit(1). */
export function* runtimeInitialStart(ctx: Ctx): Sys<void> {
  if ((yield* mainProcessStart(ctx)) !== "ERROR") {
    return;
  }
  yield* runtimeQuit(ctx, 1);
}

/** nxt_main_process_start: main's port, then discovery (which leads to the rest). */
export function* mainProcessStart(ctx: Ctx): Sys<NxtInt> {
  const rt = ctx.s.rt;
  rt.type = NXT_PROCESS_MAIN;
  ctx.k.trace({ what: "type", type: "main", name: "main" });
  portRpcInit(ctx);
  mainProcessSignals(ctx);
  mainBecomesSubreaper(ctx);
  if (!mainProcessPortCreate(ctx)) {
    return "ERROR";
  }
  return yield* processInitStart(ctx, discoveryProcess());
}

/** nxt_main_process_port_create */
export function mainProcessPortCreate(ctx: Ctx): boolean {
  const process = runtimeProcessGet(ctx, ctx.s.pid);
  const p = portNew(ctx, 0, ctx.s.pid, NXT_PROCESS_MAIN);
  processPortAdd(ctx, process, p);
  processUse(ctx, process, -1);
  const ok = portSocketInit(ctx, p);
  if (ok) {
    runtimePortAdd(ctx, p);
    portReadEnable(ctx, p, "mainProcessPortHandlers");
    process.state = NXT_PROCESS_STATE_READY;
  }
  portUse(ctx, p, -1);
  return ok;
}

/** nxt_main_process_signals */
export function mainProcessSignals(ctx: Ctx): void {
  ctx.k.sigaction(SIGHUP, { fn: "signalHandler", arg: SIGHUP });
  ctx.k.sigaction(SIGINT, { fn: "mainProcessSigtermHandler", arg: SIGINT });
  ctx.k.sigaction(SIGQUIT, { fn: "mainProcessSigquitHandler", arg: SIGQUIT });
  ctx.k.sigaction(SIGTERM, { fn: "mainProcessSigtermHandler", arg: SIGTERM });
  ctx.k.sigaction(SIGCHLD, { fn: "mainProcessSigchldHandler", arg: SIGCHLD });
  ctx.k.sigaction(SIGUSR1, { fn: "signalHandler", arg: SIGUSR1 });
}

export function mainGlobals(ctx: Ctx) {
  const main = ctx.s.main;
  nxtAssert(ctx, main !== null, "main globals exist in main");
  return main;
}

// The discovery slice of nxt_application.c: report the installed modules to main as an
// RPC and quit on either reply (main answers with RPC_ERROR as a mere acknowledgement).

import { port, type Ctx } from "./context.ts";
import type { Json, Sys } from "./kernel.ts";
import { NXT_PORT_MSG_MODULES } from "./port-messages.ts";
import { portRpcRegisterHandler } from "./port-rpc.ts";
import { type RecvMsg } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import type { HandlerTable } from "./registry.ts";
import type { NxtInt } from "./process.ts";
import { runtimeQuit } from "./runtime.ts";
import { NXT_PROCESS_DISCOVERY, NXT_PROCESS_MAIN, type ProcessInit, type ProcessRec } from "./state.ts";

export const portHandlerTables: Record<string, HandlerTable> = {
  discoveryPortHandlers: {
    QUIT: "signalQuitHandler",
    NEW_PORT: "portNewPortHandler",
    CHANGE_FILE: "portEmptyHandler",
    MMAP: "portEmptyHandler",
    DATA: "portEmptyHandler",
    REMOVE_PID: "portRemovePidHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
};

/** nxt_discovery_process */
export function discoveryProcess(): ProcessInit {
  return {
    type: NXT_PROCESS_DISCOVERY,
    name: "discovery",
    prefork: null,
    setup: "processCoreSetup",
    start: "discoveryStart",
    restart: false,
    signals: "processSignals",
    portHandlers: "discoveryPortHandlers",
  };
}

/** nxt_discovery_start */
export function* discoveryStart(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  const rt = ctx.s.rt;
  const mainOid = rt.portByType[NXT_PROCESS_MAIN];
  const ownOid = process.ports[0];
  if (mainOid === null || mainOid === undefined || ownOid === undefined) {
    return "ERROR";
  }
  const main = port(ctx, mainOid);
  const own = port(ctx, ownOid);
  const modules = ctx.s.options.modules.map((m) => ({ type: m.type, version: m.version }));
  const stream = yield* portRpcRegisterHandler(ctx, own, "discoveryQuit", "discoveryQuit", main.pid, null);
  if (stream === 0) {
    return "ERROR";
  }
  yield* portSocketWrite(ctx, main, NXT_PORT_MSG_MODULES, -1, -1, stream, own.id, modules as unknown as Json);
  return "OK";
}

/** nxt_discovery_quit */
export function* discoveryQuit(ctx: Ctx, _recv: RecvMsg, _data: Json): Sys<void> {
  yield* runtimeQuit(ctx, 0);
}

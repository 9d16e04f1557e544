// The lifecycle slice of nxt_controller.c: wait for the router ("router ready" greeting and
// its port), then push the configuration to it; a reconfiguration pushes the new one.

import { alert, nxtAssert, port, type Ctx } from "./context.ts";
import type { Json, Sys } from "./kernel.ts";
import { NXT_PORT_MSG_DATA_LAST } from "./port-messages.ts";
import { portRpcRegisterHandler } from "./port-rpc.ts";
import { portNewPortHandler, portRemovePidHandler, type RecvMsg } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import type { HandlerTable } from "./registry.ts";
import { processType, type NxtInt } from "./process.ts";
import { runtimeProcessFind } from "./runtime.ts";
import { greetsBeforeItsPort, removesAnOlderRouter } from "./repairs-starts.ts";
import {
  NXT_PROCESS_CONTROLLER,
  NXT_PROCESS_ROUTER,
  type ControllerGlobals,
  type ProcessInit,
  type ProcessRec,
} from "./state.ts";

export const portHandlerTables: Record<string, HandlerTable> = {
  controllerPortHandlers: {
    QUIT: "signalQuitHandler",
    NEW_PORT: "controllerProcessNewPortHandler",
    CHANGE_FILE: "portEmptyHandler",
    MMAP: "portEmptyHandler",
    PROCESS_READY: "controllerRouterReadyHandler",
    DATA: "portEmptyHandler",
    REMOVE_PID: "controllerRemovePidHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
};

/** nxt_controller_process */
export function controllerProcess(): ProcessInit {
  return {
    type: NXT_PROCESS_CONTROLLER,
    name: "controller",
    prefork: "controllerPrefork",
    setup: "processCoreSetup",
    start: "controllerStart",
    restart: true,
    signals: "processSignals",
    portHandlers: "controllerPortHandlers",
  };
}

/** nxt_controller_prefork: main reads the stored configuration (here: main's copy). */
export function controllerPrefork(_ctx: Ctx, _process: ProcessRec): NxtInt {
  return "OK";
}

function controllerGlobals(ctx: Ctx): ControllerGlobals {
  const c = ctx.s.controller;
  nxtAssert(ctx, c !== null, "controller globals exist");
  return c;
}

/** nxt_controller_start */
export function controllerStart(ctx: Ctx, _process: ProcessRec): NxtInt {
  ctx.s.controller = { routerReady: false, conf: ctx.s.main?.conf ?? null };
  return "OK";
}

/** nxt_controller_process_new_port_handler */
export function* controllerProcessNewPortHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  yield* portNewPortHandler(ctx, recv);
  if (recv.newPort === null) return;
  if (port(ctx, recv.newPort).type !== NXT_PROCESS_ROUTER || !controllerGlobals(ctx).routerReady) {
    return;
  }
  yield* controllerSendCurrentConf(ctx);
}

/** nxt_controller_router_ready_handler: the router's greeting. */
export function* controllerRouterReadyHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  controllerGlobals(ctx).routerReady = true;
  const waits = greetsBeforeItsPort(ctx, recv.msg.pid);
  if (ctx.s.rt.portByType[NXT_PROCESS_ROUTER] != null && !waits) {
    yield* controllerSendCurrentConf(ctx);
  }
}

/** nxt_controller_remove_pid_handler */
export function* controllerRemovePidHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const pid = recv.msg.body;
  if (typeof pid === "number") {
    const process = runtimeProcessFind(ctx, pid);
    if (process !== null && processType(ctx, process) === NXT_PROCESS_ROUTER && !removesAnOlderRouter(ctx, pid)) {
      controllerGlobals(ctx).routerReady = false;
    }
  }
  yield* portRemovePidHandler(ctx, recv);
}

/** nxt_controller_send_current_conf: DATA to the router as an RPC on our own port. */
export function* controllerSendCurrentConf(ctx: Ctx): Sys<void> {
  const rt = ctx.s.rt;
  const routerOid = rt.portByType[NXT_PROCESS_ROUTER];
  const ownOid = rt.portByType[NXT_PROCESS_CONTROLLER];
  if (routerOid == null || ownOid == null) return;
  const router = port(ctx, routerOid);
  const own = port(ctx, ownOid);
  const stream = yield* portRpcRegisterHandler(ctx, own, "controllerConfHandler", "controllerConfHandler", router.pid, null);
  if (stream === 0) return;
  yield* portSocketWrite(ctx, router, NXT_PORT_MSG_DATA_LAST, -1, -1, stream, own.id, controllerGlobals(ctx).conf);
}

/** nxt_controller_conf_handler */
export function controllerConfHandler(ctx: Ctx, recv: RecvMsg, _data: Json): void {
  if (recv.msg.type !== 0) {
    alert(ctx, "failed to apply configuration");
  }
}

/** A reconfiguration through the control API (a scenario action posts it here). */
export function* controllerReconfigure(ctx: Ctx, conf: Json): Sys<void> {
  const c = controllerGlobals(ctx);
  c.conf = conf;
  if (c.routerReady) yield* controllerSendCurrentConf(ctx);
}

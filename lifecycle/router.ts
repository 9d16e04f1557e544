// The lifecycle slice of nxt_router.c: apply a configuration (one prototype per
// application through main, then its processes one at a time through the prototype), ask
// for a replacement when an app process goes away, quit the prototype of a removed app,
// greet the controller, and turn REMOVE_PID of a starting process into an RPC error.

import { alert, isLive, nxtAssert, port, type Ctx } from "./context.ts";
import { isErrno, type Json, type Pid } from "./kernel.ts";
import {
  NXT_PORT_MSG_PROCESS_READY,
  NXT_PORT_MSG_QUIT,
  NXT_PORT_MSG_RPC_READY_LAST,
  NXT_PORT_MSG_START_PROCESS,
  RAW,
} from "./port-messages.ts";
import { portRpcHandler, portRpcRegisterHandler } from "./port-rpc.ts";
import { portNewPortHandler, portRemovePidHandler, portSocketWrite, type RecvMsg } from "./port.ts";
import type { HandlerTable } from "./registry.ts";
import type { NxtInt } from "./process.ts";
import { runtimePortFind, runtimeStopAppProcesses } from "./runtime.ts";
import {
  NXT_PROCESS_APP,
  NXT_PROCESS_CONTROLLER,
  NXT_PROCESS_MAIN,
  NXT_PROCESS_PROTOTYPE,
  NXT_PROCESS_ROUTER,
  type ProcessInit,
  type ProcessRec,
  type RouterApp,
  type RouterGlobals,
} from "./state.ts";

export const portHandlerTables: Record<string, HandlerTable> = {
  routerPortHandlers: {
    QUIT: "signalQuitHandler",
    NEW_PORT: "routerNewPortHandler",
    GET_PORT: "portEmptyHandler",
    CHANGE_FILE: "portEmptyHandler",
    MMAP: "portEmptyHandler",
    GET_MMAP: "portEmptyHandler",
    DATA: "routerConfDataHandler",
    APP_RESTART: "portEmptyHandler",
    REMOVE_PID: "routerRemovePidHandler",
    ACCESS_LOG: "portEmptyHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
    OOSM: "portEmptyHandler",
  },
};

/** nxt_router_process */
export function routerProcess(): ProcessInit {
  return {
    type: NXT_PROCESS_ROUTER,
    name: "router",
    prefork: "routerPrefork",
    setup: "processCoreSetup",
    start: "routerStart",
    restart: true,
    signals: "processSignals",
    portHandlers: "routerPortHandlers",
  };
}

/** nxt_router_prefork (runs in main): QUIT to every PROTOTYPE/APP-typed record. */
export function routerPrefork(ctx: Ctx, _process: ProcessRec): NxtInt {
  runtimeStopAppProcesses(ctx);
  return "OK";
}

function routerGlobals(ctx: Ctx): RouterGlobals {
  const r = ctx.s.router;
  nxtAssert(ctx, r !== null, "router globals exist");
  return r;
}

/** nxt_router_start: greet the controller if its port was inherited. */
export function routerStart(ctx: Ctx, _process: ProcessRec): NxtInt {
  ctx.s.router = { apps: {} };
  routerGreetController(ctx);
  return "OK";
}

function routerGreetController(ctx: Ctx): void {
  const controller = ctx.s.rt.portByType[NXT_PROCESS_CONTROLLER];
  if (controller != null) {
    portSocketWrite(ctx, port(ctx, controller), NXT_PORT_MSG_PROCESS_READY, -1, -1, 0, 0, null);
  }
}

/** nxt_router_new_port_handler */
export function routerNewPortHandler(ctx: Ctx, recv: RecvMsg): void {
  portNewPortHandler(ctx, recv);
  if (recv.newPort === null) return;
  const p = port(ctx, recv.newPort);
  if (p.type === NXT_PROCESS_CONTROLLER) {
    routerGreetController(ctx);
    return;
  }
  if (p.type === NXT_PROCESS_PROTOTYPE) {
    portRpcHandler(ctx, recv);
    return;
  }
  if (p.type === NXT_PROCESS_APP) {
    if (recv.msg.stream !== 0) portRpcHandler(ctx, recv);
    return;
  }
  if (recv.msg.stream !== 0) {
    recv.msg.type = RAW.RPC_ERROR;
    portRpcHandler(ctx, recv);
  }
}

/** The router's configuration handler (DATA from the controller), lifecycle part only. */
export function routerConfDataHandler(ctx: Ctx, recv: RecvMsg): void {
  const router = routerGlobals(ctx);
  const conf = recv.msg.body as { applications?: Record<string, Json> } | null;
  const wanted = conf?.applications ?? {};
  for (const name of Object.keys(router.apps).sort()) {
    const app = router.apps[name]!;
    if (!(name in wanted) && !app.removed) {
      routerAppRemove(ctx, app);
    }
  }
  for (const name of Object.keys(wanted).sort()) {
    const existing = router.apps[name];
    if (existing !== undefined && !existing.removed) continue;
    const appConf = wanted[name] as Record<string, Json>;
    const app: RouterApp = {
      name,
      conf: appConf,
      processes: processCount(appConf["processes"] ?? 1),
      protoPort: null,
      sharedFd: -1,
      pending: 0,
      ports: [],
      removed: false,
    };
    router.apps[name] = app;
    routerAppPreforkStart(ctx, app);
  }
  const reply = runtimePortFind(ctx, recv.msg.pid, recv.msg.replyPort);
  if (reply !== null) {
    portSocketWrite(ctx, reply, NXT_PORT_MSG_RPC_READY_LAST, -1, -1, recv.msg.stream, 0, null);
  }
}

/** `processes`: a number, or {spare, max}: the router keeps `spare` processes started. */
function processCount(value: Json): number {
  if (typeof value === "number") return value;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const spare = value["spare"];
    return typeof spare === "number" ? spare : 0;
  }
  return 1;
}

function ownPort(ctx: Ctx) {
  const own = ctx.s.rt.portByType[NXT_PROCESS_ROUTER];
  nxtAssert(ctx, own != null, "router has its own port");
  return port(ctx, own);
}

/** nxt_router_app_rpc_create for the prototype: START_PROCESS to main with the shared port. */
function routerAppPreforkStart(ctx: Ctx, app: RouterApp): void {
  const main = ctx.s.rt.portByType[NXT_PROCESS_MAIN];
  if (main == null) return;
  const pair = ctx.k.socketpair();
  if (isErrno(pair)) {
    alert(ctx, `socketpair() failed ${pair.errno}`);
    return;
  }
  app.sharedFd = pair[1];
  const own = ownPort(ctx);
  const stream = portRpcRegisterHandler(ctx, own, "routerAppPreforkReady", "routerAppPreforkError", -1, app.name);
  app.pending = 1;
  portSocketWrite(ctx, port(ctx, main), NXT_PORT_MSG_START_PROCESS, pair[0], -1, stream, own.id, {
    name: app.name,
    conf: app.conf,
  });
  // The read end travels to main (NXT_PORT_MSG_CLOSE_FD): the router drops its copy.
  ctx.k.close(pair[0]);
}

/** The prototype's NEW_PORT completed the RPC: remember its port, start the first process. */
export function routerAppPreforkReady(ctx: Ctx, recv: RecvMsg, data: Json): void {
  const app = routerGlobals(ctx).apps[data as string];
  if (app === undefined || recv.newPort === null) return;
  app.pending = 0;
  const proto = port(ctx, recv.newPort);
  nxtAssert(ctx, proto.type === NXT_PROCESS_PROTOTYPE && app.protoPort === null, "prefork ready: PROTOTYPE reply, no proto port yet");
  app.protoPort = proto.oid;
  proto.app = app.name;
  if (app.removed) {
    portSocketWrite(ctx, proto, NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
    return;
  }
  routerStartAppProcess(ctx, app, proto.pid);
}

export function routerAppPreforkError(ctx: Ctx, _recv: RecvMsg, data: Json): void {
  const app = routerGlobals(ctx).apps[data as string];
  if (app !== undefined) app.pending = 0;
  alert(ctx, `failed to start prototype "${String(data)}"`);
}

/** START_PROCESS to the prototype for one more application process (peer -1 = none). */
function routerStartAppProcess(ctx: Ctx, app: RouterApp, peer: Pid): void {
  if (app.removed || app.protoPort === null || app.pending > 0 || app.ports.length >= app.processes) {
    return;
  }
  const proto = port(ctx, app.protoPort);
  const own = ownPort(ctx);
  app.pending = 1;
  const stream = portRpcRegisterHandler(ctx, own, "routerAppProcessReady", "routerAppProcessError", peer, app.name);
  portSocketWrite(ctx, proto, NXT_PORT_MSG_START_PROCESS, -1, -1, stream, own.id, null);
}

/** An app process's NEW_PORT (from its prototype) completed the start RPC. */
export function routerAppProcessReady(ctx: Ctx, recv: RecvMsg, data: Json): void {
  const app = routerGlobals(ctx).apps[data as string];
  if (app === undefined) return;
  if (recv.msg.type !== RAW.NEW_PORT || recv.newPort === null) {
    return routerAppProcessError(ctx, recv, data);
  }
  nxtAssert(ctx, app.pending !== 0, "app process ready: pending_processes != 0");
  app.pending = 0;
  const p = port(ctx, recv.newPort);
  if (app.removed) {
    portSocketWrite(ctx, p, NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
    return;
  }
  p.app = app.name;
  app.ports.push(p.oid);
  routerStartAppProcess(ctx, app, -1);
}

export function routerAppProcessError(ctx: Ctx, _recv: RecvMsg, data: Json): void {
  const app = routerGlobals(ctx).apps[data as string];
  if (app === undefined) return;
  app.pending = 0;
  alert(ctx, `failed to start application "${app.name}" process`);
}

/** An app was removed from the configuration: QUIT its prototype. */
function routerAppRemove(ctx: Ctx, app: RouterApp): void {
  app.removed = true;
  if (app.protoPort !== null && isLive(ctx, app.protoPort)) {
    portSocketWrite(ctx, port(ctx, app.protoPort), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
  }
  if (app.sharedFd !== -1) {
    ctx.k.close(app.sharedFd);
    app.sharedFd = -1;
  }
}

/** nxt_router_app_port_close: a port of an app closed; replace a lost process. */
export function routerAppPortClose(ctx: Ctx, portOid: number): void {
  const p = port(ctx, portOid);
  const app = p.app === null ? undefined : ctx.s.router?.apps[p.app];
  p.app = null;
  if (app === undefined) return;
  if (app.protoPort === portOid) {
    app.protoPort = null;
    return;
  }
  const at = app.ports.indexOf(portOid);
  if (at >= 0) app.ports.splice(at, 1);
  routerStartAppProcess(ctx, app, -1);
}

/** nxt_router_remove_pid_handler */
export function routerRemovePidHandler(ctx: Ctx, recv: RecvMsg): void {
  portRemovePidHandler(ctx, recv);
  if (recv.msg.stream === 0) return;
  recv.msg.type = RAW.RPC_ERROR;
  recv.msg.last = true;
  portRpcHandler(ctx, recv);
}


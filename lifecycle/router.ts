// The lifecycle slice of nxt_router.c: apply a configuration (one prototype per
// application through main, then its processes one at a time through the prototype, as many
// as its process count asks: router-app-processes.ts), ask for a replacement when an app
// process goes away, quit the prototype of a removed app, greet the controller, and turn
// REMOVE_PID of a starting process into an RPC error.

import { alert, isLive, nxtAssert, port, type Ctx } from "./context.ts";
import { isErrno, type Json, type Pid, type Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import {
  NXT_PORT_MSG_PROCESS_READY,
  NXT_PORT_MSG_QUIT,
  NXT_PORT_MSG_RPC_READY_LAST,
  NXT_PORT_MSG_START_PROCESS,
  RAW,
} from "./port-messages.ts";
import { portRpcHandler, portRpcRegisterHandler } from "./port-rpc.ts";
import { portNewPortHandler, portRemovePidHandler, type RecvMsg } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import type { HandlerTable } from "./registry.ts";
import type { NxtInt } from "./process.ts";
import { runtimePortFind, runtimeStopAppProcesses } from "./runtime.ts";
import { routerDropsAppsOfPrototype, routerKeepsReleasedAppPort } from "./repairs.ts";
import { runNamed } from "./registry.ts";
import {
  routerAppCanStart,
  routerAppIdleTimerDelete,
  routerAppNeedStart,
  routerAppPortIdle,
  routerAppPortUnidle,
  routerAppNew,
} from "./router-app-processes.ts";
import { startRequestPeer } from "./repairs-starts.ts";
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
export function* routerPrefork(ctx: Ctx, _process: ProcessRec): Sys<NxtInt> {
  yield* runtimeStopAppProcesses(ctx);
  return "OK";
}

function routerGlobals(ctx: Ctx): RouterGlobals {
  const r = ctx.s.router;
  nxtAssert(ctx, r !== null, "router globals exist");
  return r;
}

/** nxt_router_start: greet the controller if its port was inherited. */
export function* routerStart(ctx: Ctx, _process: ProcessRec): Sys<NxtInt> {
  ctx.s.router = { apps: {}, current: {}, made: 0 };
  yield* routerGreetController(ctx);
  return "OK";
}

function* routerGreetController(ctx: Ctx): Sys<void> {
  const controller = ctx.s.rt.portByType[NXT_PROCESS_CONTROLLER];
  if (controller != null) {
    yield* portSocketWrite(ctx, port(ctx, controller), NXT_PORT_MSG_PROCESS_READY, -1, -1, 0, 0, null);
  }
}

/** nxt_router_new_port_handler */
export function* routerNewPortHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  yield* portNewPortHandler(ctx, recv);
  if (recv.newPort === null) return;
  const p = port(ctx, recv.newPort);
  if (p.type === NXT_PROCESS_CONTROLLER) {
    yield* routerGreetController(ctx);
    return;
  }
  if (p.type === NXT_PROCESS_PROTOTYPE) {
    yield* portRpcHandler(ctx, recv);
    return;
  }
  if (p.type === NXT_PROCESS_APP) {
    if (recv.msg.stream !== 0) yield* portRpcHandler(ctx, recv);
    return;
  }
  if (recv.msg.stream !== 0) {
    recv.msg.type = RAW.RPC_ERROR;
    yield* portRpcHandler(ctx, recv);
  }
}

/** The router's configuration handler (DATA from the controller), lifecycle part only. */
export function* routerConfDataHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const router = routerGlobals(ctx);
  const conf = recv.msg.body as { applications?: Record<string, Json> } | null;
  const wanted = conf?.applications ?? {};
  for (const name of Object.keys(router.current).sort()) {
    const app = router.apps[router.current[name]!]!;
    // nxt_router_conf_create keeps an app only when its printed conf is the same
    // (nxt_strstr_eq); a changed one is made anew and the old one unlinked (nxt_router_apps_sort).
    if (!(name in wanted) || JSON.stringify(wanted[name]) !== JSON.stringify(app.conf)) {
      delete router.current[name];
      yield* routerAppRemove(ctx, app);
    }
  }
  for (const name of Object.keys(wanted).sort()) {
    if (router.current[name] !== undefined) continue;
    const appConf = wanted[name] as Record<string, Json>;
    const app = routerAppNew(`${name}#${router.made++}`, name, appConf);
    router.apps[app.id] = app;
    router.current[name] = app.id;
    if (routerAppQueueInit(ctx, app)) {
      yield* routerStartAppProcess(ctx, app, -1);
    }
  }
  const reply = runtimePortFind(ctx, recv.msg.pid, recv.msg.replyPort);
  if (reply !== null) {
    yield* portSocketWrite(ctx, reply, NXT_PORT_MSG_RPC_READY_LAST, -1, -1, recv.msg.stream, 0, null);
  }
}

function ownPort(ctx: Ctx) {
  const own = ctx.s.rt.portByType[NXT_PROCESS_ROUTER];
  nxtAssert(ctx, own != null, "router has its own port");
  return port(ctx, own);
}

/** The app's shared port (nxt_router_app_queue_init): the router keeps both ends. */
function routerAppQueueInit(ctx: Ctx, app: RouterApp): boolean {
  const pair = ctx.k.socketpair();
  if (isErrno(pair)) {
    alert(ctx, `socketpair() failed ${pair.errno}`);
    return false;
  }
  app.sharedPair = [pair[0], pair[1]];
  return true;
}

/**
 * nxt_router_start_app_process_handler: one more process through the prototype, or, when
 * the app has no prototype (first start, or it died), a prototype through main carrying the
 * shared port's read end. peer -1 = none (the scale-up path registers no peer).
 */
export function* routerStartAppProcess(ctx: Ctx, app: RouterApp, peer: Pid): Sys<void> {
  // Departure: one start at a time (pending 0 or 1), each ready process asking for the next;
  // Unit lets up to max_pending_processes start at once on the request path.
  if (app.removed || app.pending > 0 || !routerAppCanStart(ctx, app) || !routerAppNeedStart(ctx, app)) {
    return;
  }
  const own = ownPort(ctx);
  app.pending = 1;
  const stream = yield* portRpcRegisterHandler(ctx, own, "routerAppPortReady", "routerAppPortError", startRequestPeer(ctx, app, peer), app.id);
  if (app.protoPort !== null) {
    yield* portSocketWrite(ctx, port(ctx, app.protoPort), NXT_PORT_MSG_START_PROCESS, -1, -1, stream, own.id, null);
    return;
  }
  const main = ctx.s.rt.portByType[NXT_PROCESS_MAIN];
  nxtAssert(ctx, main != null, "router knows main's port");
  yield* portSocketWrite(ctx, port(ctx, main), NXT_PORT_MSG_START_PROCESS, app.sharedPair[0], -1, stream, own.id, {
    name: app.name,
    conf: app.conf,
  });
}

/** nxt_router_app_port_ready: NEW_PORT of a prototype (from main) or an app (from the prototype). */
export function* routerAppPortReady(ctx: Ctx, recv: RecvMsg, data: Json): Sys<void> {
  const app = routerGlobals(ctx).apps[data as string];
  if (app === undefined) return;
  if (recv.msg.type !== RAW.NEW_PORT || recv.newPort === null) {
    return routerAppPortError(ctx, recv, data);
  }
  nxtAssert(ctx, app.pending !== 0, "app port ready: pending_processes != 0");
  app.pending = 0;
  const p = port(ctx, recv.newPort);
  if (app.removed) {
    yield* portSocketWrite(ctx, p, NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
    yield* routerKeepsReleasedAppPort(ctx, app, p);
    return;
  }
  p.app = app.id;
  if (p.type === NXT_PROCESS_PROTOTYPE) {
    nxtAssert(ctx, app.protoPort === null, "prototype reply: app has no proto port yet");
    app.protoPort = p.oid;
    // The first process is started with the prototype as its peer (the config-apply path).
    yield* routerStartAppProcess(ctx, app, p.pid);
    return;
  }
  app.ports.push(p.oid);
  // Departure: no PORT_ACK to the new process (libunit ignores it).
  routerAppPortIdle(ctx, app, p.oid);
  if (app.ackWaitingReq.length > 0) yield* runNamed(ctx, "routerAppTakeRequests", app.id);
  yield* routerStartAppProcess(ctx, app, -1);
}

/** nxt_router_app_port_error */
export function routerAppPortError(ctx: Ctx, _recv: RecvMsg, data: Json): void {
  const app = routerGlobals(ctx).apps[data as string];
  if (app === undefined) return;
  app.pending = 0;
  alert(ctx, `failed to start application "${app.name}"`);
}

/** An app was removed from the configuration: QUIT its prototype. */
function* routerAppRemove(ctx: Ctx, app: RouterApp): Sys<void> {
  app.removed = true;
  routerAppIdleTimerDelete(ctx, app);
  if (app.protoPort !== null && isLive(ctx, app.protoPort)) {
    yield* portSocketWrite(ctx, port(ctx, app.protoPort), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
  }
  for (const fd of app.sharedPair) {
    if (fd !== -1) yield* ctx.k.close(fd);
  }
  app.sharedPair = [-1, -1];
}

/** nxt_router_app_port_close: a port of an app closed; replace a lost process. */
export function* routerAppPortClose(ctx: Ctx, portOid: number): Sys<void> {
  const p = port(ctx, portOid);
  const app = p.app === null ? undefined : ctx.s.router?.apps[p.app];
  p.app = null;
  if (app === undefined) return;
  if (app.protoPort === portOid) {
    // The prototype is gone: the next start asks main for a new one.
    app.protoPort = null;
    yield* routerDropsAppsOfPrototype(ctx, app);
    return;
  }
  const at = app.ports.indexOf(portOid);
  if (at >= 0) app.ports.splice(at, 1);
  routerAppPortUnidle(ctx, app, portOid);
  // A lost process is replaced unless the router itself is shutting down.
  if (!ctx.s.rt.shutdown && !hasMutant(ctx.s.options, "router-no-restart")) yield* routerStartAppProcess(ctx, app, -1);
}

/** nxt_router_remove_pid_handler */
export function* routerRemovePidHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  yield* portRemovePidHandler(ctx, recv);
  if (recv.msg.stream === 0) return;
  recv.msg.type = RAW.RPC_ERROR;
  recv.msg.last = true;
  yield* portRpcHandler(ctx, recv);
}


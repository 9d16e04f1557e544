// nxt_main_process.c: main's port handlers (nxt_main_process_port_handlers): MODULES,
// START_PROCESS, CREATED with the credential map, WHOAMI, NEW_PORT.

import { cloneCredentialMap } from "./clone.ts";
import { alert, nxtAssert, port, proc, type Ctx } from "./context.ts";
import type { Json, Pid, Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import { controllerProcess } from "./controller.ts";
import { routerProcess } from "./router.ts";
import { protoProcess } from "./prototype.ts";
import { NXT_PORT_MSG_RPC_ERROR, NXT_PORT_MSG_RPC_READY_LAST } from "./port-messages.ts";
import { freezePlain } from "./copy.ts";
import { portNewPortHandler, type RecvMsg } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import type { HandlerTable } from "./registry.ts";
import { processInitStart, processNew, processStart, processUse } from "./process.ts";
import { runtimePortFind, runtimeProcessFind, runtimeProcessPortCreate, runtimeQuit } from "./runtime.ts";
import { NXT_PROCESS_DISCOVERY, NXT_PROCESS_MAIN, NXT_PROCESS_ROUTER, NXT_PROCESS_APP, NXT_PROCESS_STATE_CREATED, NXT_PROCESS_STATE_CREATING, type AppData, type ProcessRec } from "./state.ts";
import { CLONE_NEWUSER } from "./kernel.ts";
import { acceptsModulesOfReapedDiscovery, noteIsolatedPid, refusesStart, refuseWhoami } from "./repairs.ts";
import { mainGlobals } from "./main-process.ts";

export const portHandlerTables: Record<string, HandlerTable> = {
  // nxt_main_process_port_handlers: no QUIT and no CHANGE_FILE slot.
  mainProcessPortHandlers: {
    DATA: "portEmptyHandler",
    NEW_PORT: "mainNewPortHandler",
    PROCESS_CREATED: "mainProcessCreatedHandler",
    PROCESS_READY: "portProcessReadyHandler",
    WHOAMI: "mainProcessWhoamiHandler",
    REMOVE_PID: "portRemovePidHandler",
    START_PROCESS: "mainStartProcessHandler",
    SOCKET: "portEmptyHandler",
    MODULES: "mainPortModulesHandler",
    CONF_STORE: "portEmptyHandler",
    ACCESS_LOG: "portEmptyHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
};

/** nxt_main_port_modules_handler */
export function* mainPortModulesHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const rt = ctx.s.rt;
  const discovery = rt.portByType[NXT_PROCESS_DISCOVERY];
  if (discovery === null || discovery === undefined) {
    // Unit dereferences port_by_type[DISCOVERY] without a NULL check.
    if (!acceptsModulesOfReapedDiscovery(ctx)) ctx.k.abort("modules handler: port_by_type[DISCOVERY] is NULL");
  } else if (recv.msg.pid !== port(ctx, discovery).pid) {
    alert(ctx, `process ${recv.msg.pid} cannot send modules`);
    return;
  }
  if (mainGlobals(ctx).exiting && !hasMutant(ctx.s.options, "modules-while-exiting")) {
    return;
  }
  const reply = runtimePortFind(ctx, recv.msg.pid, recv.msg.replyPort);
  if (reply !== null) {
    yield* portSocketWrite(ctx, reply, NXT_PORT_MSG_RPC_ERROR, -1, -1, recv.msg.stream, 0, null);
  }
  const body = recv.msg.body;
  if (body === null || !Array.isArray(body)) {
    return;
  }
  rt.languages = (body as { type: string; version: string }[]).map((m) => ({ type: m.type, version: m.version }));
  let ret = yield* processInitStart(ctx, controllerProcess());
  if (ret === "OK") {
    ret = yield* processInitStart(ctx, routerProcess());
  }
  if (ret === "ERROR") {
    mainGlobals(ctx).exiting = true;
    yield* runtimeQuit(ctx, 1);
  }
}

interface StartProcessBody {
  name: string;
  conf: Json;
}

/** Closes the fds (of `which`) a message brought that its handler did not take. */
function* closeRecvFds(ctx: Ctx, recv: RecvMsg, which: readonly (0 | 1)[]): Sys<void> {
  for (const i of which) {
    if (recv.fd[i] !== -1) yield* ctx.k.close(recv.fd[i]);
    recv.fd[i] = -1;
  }
}

/** A START_PROCESS that cannot be served: drop the record, answer RPC_ERROR, close the fds. */
function* startProcessFailed(ctx: Ctx, recv: RecvMsg, process: ProcessRec): Sys<void> {
  processUse(ctx, process, -1);
  const reply = runtimePortFind(ctx, recv.msg.pid, recv.msg.replyPort);
  if (reply !== null) {
    yield* portSocketWrite(ctx, reply, NXT_PORT_MSG_RPC_ERROR, -1, -1, recv.msg.stream, 0, null);
  }
  yield* closeRecvFds(ctx, recv, [0, 1]);
}

/** nxt_main_start_process_handler: the router asks main for an application's prototype. */
export function* mainStartProcessHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const rt = ctx.s.rt;
  const routerOid = rt.portByType[NXT_PROCESS_ROUTER];
  if (routerOid === null || routerOid === undefined) {
    alert(ctx, "router port not found");
    return yield* closeRecvFds(ctx, recv, [0, 1]);
  }
  if (port(ctx, routerOid).pid !== recv.cmsgPid) {
    alert(ctx, `process ${recv.cmsgPid} cannot start processes`);
    return yield* closeRecvFds(ctx, recv, [0, 1]);
  }
  const process = processNew(ctx);
  if (refusesStart(ctx)) return yield* startProcessFailed(ctx, recv, process);
  process.parentPort = rt.portByType[NXT_PROCESS_MAIN] ?? null;
  const init = protoProcess();
  const body = recv.msg.body as unknown as StartProcessBody | null;
  if (body === null || typeof body.name !== "string" || typeof body.conf !== "object" || body.conf === null) {
    alert(ctx, "router app configuration parsing error");
    return yield* startProcessFailed(ctx, recv, process);
  }
  const conf = body.conf as Record<string, Json>;
  if (typeof conf["type"] !== "string") {
    alert(ctx, "failed to map common app conf received from router");
    return yield* startProcessFailed(ctx, recv, process);
  }
  init.name = body.name;
  process.init = freezePlain(init);
  process.name = `"${body.name}" prototype`;
  const data: AppData = {
    name: body.name,
    type: conf["type"] as string,
    conf: body.conf,
    sharedPortFd: recv.fd[0],
    sharedQueueFd: recv.fd[1],
  };
  process.data = freezePlain(data);
  process.stream = recv.msg.stream;
  const ret = yield* processStart(ctx, process, null);
  if (ret === "OK" || ret === "AGAIN") {
    if (ret === "OK") {
      if (data.sharedPortFd !== -1) yield* ctx.k.close(data.sharedPortFd);
      if (data.sharedQueueFd !== -1) yield* ctx.k.close(data.sharedQueueFd);
    }
    recv.fd[0] = -1;
    recv.fd[1] = -1;
    return;
  }
  yield* startProcessFailed(ctx, recv, process);
}

/** nxt_main_process_created_handler: write the uid/gid maps, then let the child go on. */
export function* mainProcessCreatedHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const p = runtimePortFind(ctx, recv.msg.pid, recv.msg.replyPort);
  ctx.k.trace({ what: "handler", fn: "mainProcessCreatedHandler", found: p !== null });
  if (p === null) {
    return;
  }
  nxtAssert(ctx, p.process !== null, "created handler: port->process != NULL");
  const process = proc(ctx, p.process);
  nxtAssert(ctx, process.state === NXT_PROCESS_STATE_CREATING, `created handler: process ${process.pid} state == CREATING`);
  if ((process.isolation.clone.flags & CLONE_NEWUSER) !== 0) {
    const mapped = yield* cloneCredentialMap(ctx.k, process.pid, process.isolation.clone, {
      caps: ctx.s.rt.capabilities,
      userCred: process.userCred ?? ctx.s.rt.userCred,
      mainEuid: ctx.s.euid,
      mainEgid: ctx.s.egid,
      setgroupsLast: hasMutant(ctx.s.options, "setgroups-last"),
    });
    if (!mapped.ok) {
      for (const text of mapped.alerts) alert(ctx, text);
      yield* portSocketWrite(ctx, p, NXT_PORT_MSG_RPC_ERROR, -1, -1, recv.msg.stream, 0, null);
      return;
    }
  }
  process.state = NXT_PROCESS_STATE_CREATED;
  ctx.k.trace({ what: "state", of: process.pid, from: "CREATING", to: "CREATED", table: "parent" });
  yield* portSocketWrite(ctx, p, NXT_PORT_MSG_RPC_READY_LAST, -1, -1, recv.msg.stream, 0, null);
}

/** nxt_main_process_whoami_handler: tell a pid-isolated child (or an app) its host pid. */
export function* mainProcessWhoamiHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  nxtAssert(ctx, recv.msg.replyPort === 0, "whoami handler: reply_port == 0");
  if (typeof recv.msg.body !== "number") {
    alert(ctx, "whoami: buffer is NULL or unexpected size");
    return yield* closeRecvFds(ctx, recv, [0]);
  }
  const ppid = recv.msg.body;
  const pprocess = runtimeProcessFind(ctx, ppid);
  if (pprocess === null) {
    alert(ctx, `whoami: parent process ${ppid} not found`);
    yield* refuseWhoami(ctx, recv);
    return yield* closeRecvFds(ctx, recv, [0]);
  }
  const pid: Pid = recv.cmsgPid;
  let p;
  if (recv.fd[0] !== -1) {
    p = runtimeProcessPortCreate(ctx, pid, 0, NXT_PROCESS_APP);
    p.pair = [-1, recv.fd[0]];
    recv.fd[0] = -1;
    p.maxSize = 16 * 1024;
    p.maxShare = 64 * 1024;
    p.writeEnabled = true;
  } else {
    p = runtimePortFind(ctx, pid, 0);
    if (p === null) {
      return yield* closeRecvFds(ctx, recv, [0]);
    }
  }
  if (ppid !== ctx.s.pid) {
    nxtAssert(ctx, p.process !== null, "whoami: port has a process");
    const child = proc(ctx, p.process);
    noteIsolatedPid(ctx, child, recv.msg.pid);
    child.link = pprocess.oid;
    pprocess.children.push(child.oid);
  }
  yield* portSocketWrite(ctx, p, NXT_PORT_MSG_RPC_READY_LAST, -1, -1, recv.msg.stream, 0, pid);
  yield* closeRecvFds(ctx, recv, [0]);
}

/** nxt_main_new_port_handler: generic, then the app queue fd is mapped and closed. */
export function* mainNewPortHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  yield* portNewPortHandler(ctx, recv);
  if (recv.newPort === null) return;
  const p = port(ctx, recv.newPort);
  if (p.type === NXT_PROCESS_APP && recv.fd[1] !== -1) {
    yield* ctx.k.close(recv.fd[1]);
    recv.fd[1] = -1;
  }
}

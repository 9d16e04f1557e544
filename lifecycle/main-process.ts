// nxt_main_process.c (with the boot steps of nxt_runtime.c): main's port and handlers,
// boot order, MODULES, START_PROCESS, CREATED with the credential map, WHOAMI, NEW_PORT,
// the SIGCHLD loop with restart, and SIGTERM/SIGQUIT.

import { cloneCredentialMap } from "./clone.ts";
import { alert, nxtAssert, port, proc, type Ctx } from "./context.ts";
import { SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, type Json, type Pid, type Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import { controllerProcess } from "./controller.ts";
import { discoveryProcess } from "./discovery.ts";
import { routerProcess } from "./router.ts";
import { protoProcess } from "./prototype.ts";
import {
  NXT_PORT_MSG_QUIT,
  NXT_PORT_MSG_RPC_ERROR,
  NXT_PORT_MSG_RPC_READY_LAST,
} from "./port-messages.ts";
import { freezePlain } from "./copy.ts";
import { portRpcInit } from "./port-rpc.ts";
import { portNew, portNewPortHandler, portRemoveNotifyOthers, portUse, type RecvMsg } from "./port.ts";
import { portReadEnable, portSocketInit, portSocketWrite } from "./port-socket.ts";
import type { HandlerTable } from "./registry.ts";
import {
  processClosePorts,
  processInitOf,
  processInitStart,
  processNew,
  processPortAdd,
  processStart,
  processUse,
  waitpidNext,
  type NxtInt,
} from "./process.ts";
import {
  runtimePortAdd,
  runtimePortFind,
  runtimeProcessFind,
  runtimeProcessGet,
  runtimeProcessPortCreate,
  runtimeQuit,
} from "./runtime.ts";
import {
  NXT_PROCESS_DISCOVERY,
  NXT_PROCESS_MAIN,
  NXT_PROCESS_ROUTER,
  NXT_PROCESS_APP,
  NXT_PROCESS_STATE_CREATED,
  NXT_PROCESS_STATE_CREATING,
  NXT_PROCESS_STATE_READY,
  type AppData,
  type ProcessRec,
} from "./state.ts";
import { CLONE_NEWUSER } from "./kernel.ts";
import { deadRecordOf, traceTableSnapshot } from "./table-report.ts";
import { cgroupCleanup } from "./cgroup.ts";
import { acceptsModulesOfReapedDiscovery, noteIsolatedPid, readBeforeReap, refusesStart, refuseWhoami } from "./repairs.ts";
import { restartsDiscovery, retryRestart } from "./repairs-starts.ts";
import { mainBecomesSubreaper, quitWhenNoChildLeft, waitsForOrphans } from "./repairs-shutdown.ts";
import { cgroupCleanupKept, keepBusyCgroup } from "./repairs-cgroup.ts";

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

function mainGlobals(ctx: Ctx) {
  const main = ctx.s.main;
  nxtAssert(ctx, main !== null, "main globals exist in main");
  return main;
}

/** nxt_main_process_sigterm_handler */
export function* mainProcessSigtermHandler(ctx: Ctx, _sig: number): Sys<void> {
  mainGlobals(ctx).exiting = true;
  yield* runtimeQuit(ctx, 0);
}

/** nxt_main_process_sigquit_handler */
export function* mainProcessSigquitHandler(ctx: Ctx, _sig: number): Sys<void> {
  mainGlobals(ctx).exiting = true;
  yield* runtimeQuit(ctx, 0);
}

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

/** nxt_main_process_cleanup: isolation cleanup (rootfs unmount: nothing to unmount here), then the cgroup's (867a839f). */
export function* mainProcessCleanup(ctx: Ctx, process: ProcessRec): Sys<void> {
  if (process.isolation.cgroupCleanup === "cgroupCleanup" && !hasMutant(ctx.s.options, "cgroup-no-cleanup")) {
    keepBusyCgroup(ctx, process, yield* cgroupCleanup(ctx, process));
  }
}

/** nxt_main_process_sigchld_handler: reap every exited child (the #600 mutant stops after one once exiting). */
export function* mainProcessSigchldHandler(ctx: Ctx, _sig: number): Sys<void> {
  const main = mainGlobals(ctx);
  const rt = ctx.s.rt;
  for (;;) {
    const w = yield* waitpidNext(ctx, "process %PI");
    if (w === null) {
      return;
    }
    const found = runtimeProcessFind(ctx, w.pid);
    const process = found === null ? null : yield* readBeforeReap(ctx, found);
    if (process === null) {
      const waiting = waitsForOrphans(ctx);
      yield* cgroupCleanupKept(ctx);
      if (waiting) return yield* quitWhenNoChildLeft(ctx);
      continue;
    }
    traceTableSnapshot(ctx, "reap", deadRecordOf(ctx, process));
    yield* mainProcessCleanup(ctx, process);
    if (process.state === NXT_PROCESS_STATE_READY) {
      process.stream = 0;
    }
    // The children list moves into a local list (the records stay linked there).
    const children = process.children;
    process.children = [];
    for (const childOid of children) {
      const child = proc(ctx, childOid);
      const first = child.ports[0];
      if (first !== undefined) {
        yield* portSocketWrite(ctx, port(ctx, first), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
      }
    }
    if (main.exiting) {
      yield* processClosePorts(ctx, process);
      for (const childOid of children) {
        const child = proc(ctx, childOid);
        child.link = null;
        yield* processClosePorts(ctx, child);
      }
      if (rt.nprocesses <= 1) {
        if (waitsForOrphans(ctx)) return yield* quitWhenNoChildLeft(ctx);
        yield* runtimeQuit(ctx, 0);
        return;
      }
      if (hasMutant(ctx.s.options, "600")) {
        // Unit before 2bc95990: the exiting branch returns after one child; SIGCHLD does not queue.
        return;
      }
      continue;
    }
    yield* portRemoveNotifyOthers(ctx, process);
    for (const childOid of children) {
      const child = proc(ctx, childOid);
      yield* portRemoveNotifyOthers(ctx, child);
      child.link = null;
      yield* processClosePorts(ctx, child);
    }
    const init = { ...processInitOf(process) };
    yield* processClosePorts(ctx, process);
    if (hasMutant(ctx.s.options, "release-twice")) {
      // A stray reference taken and dropped on a record that may already be released.
      processUse(ctx, process, 1);
      processUse(ctx, process, -1);
    }
    if (init.restart || restartsDiscovery(ctx, init)) {
      if ((yield* processInitStart(ctx, init)) === "ERROR") {
        alert(ctx, `failed to restart ${init.name}`);
        retryRestart(ctx, init);
      }
    }
  }
}


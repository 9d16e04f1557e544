// The prototype half of nxt_application.c: the prototype descriptor and setup, its
// START_PROCESS handler (forks apps), the private isolated-pid table and children list,
// PROCESS_CREATED re-keying, QUIT and SIGCHLD.

import { alert, log, nxtAssert, port, proc, type Ctx } from "./context.ts";
import { freezePlain } from "./copy.ts";
import { isolationMainPrefork } from "./isolation.ts";
import { SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, type Pid, type Sys } from "./kernel.ts";
import { hasFix, hasMutant } from "./options.ts";
import { NXT_PORT_MSG_QUIT, NXT_PORT_MSG_RPC_ERROR } from "./port-messages.ts";
import { portRemoveNotifyOthers, portUse, stateName, type RecvMsg } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import type { HandlerTable } from "./registry.ts";
import { appProcess } from "./app.ts";
import { deadRecordOf, traceTableSnapshot } from "./table-report.ts";
import { announceCreatingDeath, readBeforeCreatingReap } from "./repairs.ts";
import { processClosePorts, processNew, processQuit, processStart, processUse, waitpidNext, type NxtInt } from "./process.ts";
import {
  PROTO_CHILDREN_LIST,
  queueRemove,
  runtimePortFind,
  runtimeProcessAdd,
  runtimeProcessRemove,
} from "./runtime.ts";
import {
  NXT_PROCESS_PROTOTYPE,
  NXT_PROCESS_STATE_CREATED,
  NXT_PROCESS_STATE_CREATING,
  type Oid,
  type ProcessInit,
  type ProcessRec,
  type ProtoGlobals,
} from "./state.ts";

export const portHandlerTables: Record<string, HandlerTable> = {
  protoProcessPortHandlers: {
    QUIT: "protoQuitHandler",
    CHANGE_FILE: "portEmptyHandler",
    NEW_PORT: "portNewPortHandler",
    PROCESS_CREATED: "protoProcessCreatedHandler",
    PROCESS_READY: "portProcessReadyHandler",
    REMOVE_PID: "portRemovePidHandler",
    START_PROCESS: "protoStartProcessHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
};

/** nxt_proto_process */
export function protoProcess(): ProcessInit {
  return {
    type: NXT_PROCESS_PROTOTYPE,
    name: "",
    prefork: "isolationMainPreforkHook",
    setup: "protoSetup",
    start: "protoStart",
    restart: false,
    signals: "prototypeSignals",
    portHandlers: "protoProcessPortHandlers",
  };
}

/** nxt_isolation_main_prefork as the prototype descriptor's prefork, run in main. */
export function isolationMainPreforkHook(ctx: Ctx, process: ProcessRec): NxtInt {
  const main = ctx.s.main;
  nxtAssert(ctx, main !== null && process.data !== null, "prefork runs in main with app data");
  const outcome = isolationMainPrefork({
    caps: ctx.s.rt.capabilities,
    mainUser: main.mainUser,
    mainGroup: main.mainGroup,
    mainEuid: ctx.s.euid,
    mainEgid: ctx.s.egid,
    db: ctx.s.options.users,
    havePrSetNoNewPrivs: ctx.s.options.havePrSetNoNewPrivs,
    upstream: ctx.s.options.upstream,
    appName: process.data.name,
    app: process.data.conf,
  });
  if (!outcome.ok) {
    for (const text of outcome.alerts) alert(ctx, text);
    // Where Unit would dereference NULL or fail an assert, main aborts.
    if (outcome.abort !== undefined) ctx.k.abort(outcome.abort);
    return "ERROR";
  }
  for (const text of outcome.value.warnings ?? []) log(ctx, text);
  process.isolation = freezePlain(outcome.value.isolation);
  process.userCred = freezePlain(outcome.value.userCred);
  return "OK";
}

/** nxt_proto_exiting, nxt_proto_pids: C statics, there (zeroed) from the fork on, even before nxt_proto_setup. */
function protoGlobals(ctx: Ctx): ProtoGlobals {
  return (ctx.s.proto ??= { exiting: false, pids: {}, children: [] });
}

/** nxt_prototype_signals */
export function prototypeSignals(ctx: Ctx): void {
  ctx.k.sigaction(SIGHUP, { fn: "signalHandler", arg: SIGHUP });
  ctx.k.sigaction(SIGINT, { fn: "protoSigtermHandler", arg: SIGINT });
  ctx.k.sigaction(SIGQUIT, { fn: "protoSigtermHandler", arg: SIGQUIT });
  ctx.k.sigaction(SIGTERM, { fn: "protoSigtermHandler", arg: SIGTERM });
  ctx.k.sigaction(SIGCHLD, { fn: "protoSigchldHandler", arg: SIGCHLD });
}

/** nxt_proto_setup: find the language module; no mounts are made in the model. */
export function protoSetup(ctx: Ctx, process: ProcessRec): NxtInt {
  protoGlobals(ctx);
  nxtAssert(ctx, process.data !== null, "proto_setup: app conf");
  const type = process.data.type;
  const base = type.split(/[ 0-9]/)[0] ?? type;
  const lang = ctx.s.rt.languages.find((m) => m.type === base || m.type === type);
  if (lang === undefined) {
    alert(ctx, `unknown application type: "${type}"`);
    return "ERROR";
  }
  process.state = NXT_PROCESS_STATE_CREATED;
  ctx.k.trace({ what: "state", of: ctx.s.pid, from: "CREATING", to: "CREATED", table: "own" });
  return "OK";
}

/** nxt_proto_start: nothing; the prototype waits for START_PROCESS. */
export function protoStart(_ctx: Ctx, _process: ProcessRec): NxtInt {
  return "OK";
}

/** nxt_proto_start_process_handler: fork one application process (even once exiting, as Unit does). */
export function* protoStartProcessHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const rt = ctx.s.rt;
  if (hasFix(ctx.s.options, "proto-start-while-exiting") && protoGlobals(ctx).exiting) {
    // The repair: no new child once the prototype is on its way out.
    yield* replyStartFailed(ctx, recv);
    return;
  }
  const process = processNew(ctx);
  process.parentPort = rt.portByType[NXT_PROCESS_PROTOTYPE] ?? null;
  const own = ownRecord(ctx);
  const app = own.data;
  nxtAssert(ctx, app !== null, "prototype has its app conf");
  const init = appProcess();
  init.name = app.name;
  process.init = freezePlain(init);
  process.name = `"${app.name}" application`;
  // &rt->user_cred and nxt_app_conf: Unit points at them; the model shares them, frozen.
  process.userCred = freezePlain(rt.userCred);
  process.data = freezePlain(app);
  process.stream = recv.msg.stream;
  const ret = yield* processStart(ctx, process, "protoProcessAddAgain");
  if (ret === "ERROR") {
    processUse(ctx, process, -1);
    yield* replyStartFailed(ctx, recv);
    return;
  }
  protoProcessAdd(ctx, process);
}

/** The `failed:` path of nxt_proto_start_process_handler: RPC_ERROR to the requester. */
function* replyStartFailed(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const reply = runtimePortFind(ctx, recv.msg.pid, recv.msg.replyPort);
  if (reply !== null) {
    yield* portSocketWrite(ctx, reply, NXT_PORT_MSG_RPC_ERROR, -1, -1, recv.msg.stream, 0, null);
  }
}

/** The prototype's own record (nxt_app_conf lives in it). */
function ownRecord(ctx: Ctx): ProcessRec {
  const own = ctx.s.rt.portByType[NXT_PROCESS_PROTOTYPE];
  nxtAssert(ctx, own !== null && own !== undefined, "prototype has its own port");
  const p = port(ctx, own);
  nxtAssert(ctx, p.process !== null, "own port has a process");
  return proc(ctx, p.process);
}

/** In a freshly forked app, nxt_proto_start_process_handler goes on with NXT_AGAIN. */
export function protoProcessAddAgain(ctx: Ctx, processOid: Oid): void {
  protoProcessAdd(ctx, proc(ctx, processOid));
}

/** nxt_proto_process_add: key = isolated pid; a duplicate is only logged, not linked. */
export function protoProcessAdd(ctx: Ctx, process: ProcessRec): void {
  const proto = ctx.s.proto;
  if (proto === null) return;
  const key = process.isolatedPid;
  if (proto.pids[key] !== undefined) {
    ctx.k.trace({ what: "log", text: `process (isolated ${key}) failed to add` });
    return;
  }
  proto.pids[key] = process.oid;
  process.link = PROTO_CHILDREN_LIST;
  proto.children.push(process.oid);
}

/** nxt_proto_process_find */
export function protoProcessFind(ctx: Ctx, pid: Pid): ProcessRec | null {
  const oid = protoGlobals(ctx).pids[pid];
  return oid === undefined ? null : proc(ctx, oid);
}

/** nxt_proto_process_remove: out of the pid table and unlinked from the children list. */
export function protoProcessRemove(ctx: Ctx, pid: Pid): ProcessRec | null {
  const proto = protoGlobals(ctx);
  const oid = proto.pids[pid];
  if (oid === undefined) return null;
  delete proto.pids[pid];
  const process = proc(ctx, oid);
  if (process.link !== null) {
    queueRemove(ctx, process.link, process.oid);
  }
  process.link = null;
  return process;
}

/** nxt_proto_process_created_handler: found by the kernel's pid; re-keyed to the global pid. */
export function protoProcessCreatedHandler(ctx: Ctx, recv: RecvMsg): void {
  const isolatedPid = hasMutant(ctx.s.options, "proto-created-by-header-pid") ? recv.msg.pid : recv.cmsgPid;
  const process = protoProcessFind(ctx, isolatedPid);
  ctx.k.trace({ what: "handler", fn: "protoProcessCreatedHandler", found: process !== null });
  if (process === null) {
    return;
  }
  const from = process.state;
  process.state = NXT_PROCESS_STATE_CREATED;
  ctx.k.trace({ what: "state", of: isolatedPid, from: stateName(from), to: "CREATED", table: "parent" });
  const pid = recv.msg.pid;
  if (hasFix(ctx.s.options, "633")) {
    process.pid = pid;
    if (!process.registered) {
      nxtAssert(ctx, process.ports.length > 0, "created: process has a port");
      runtimeProcessAdd(ctx, process);
      portUse(ctx, port(ctx, process.ports[0]!), -1);
    }
    return;
  }
  if (process.pid !== pid) {
    if (hasMutant(ctx.s.options, "rekey-in-place")) {
      process.pid = pid;
      return;
    }
    runtimeProcessRemove(ctx, process);
    process.pid = pid;
    runtimeProcessAdd(ctx, process);
  }
}

function* protoQuitChildren(ctx: Ctx): Sys<void> {
  for (const oid of [...protoGlobals(ctx).children]) {
    const child = proc(ctx, oid);
    const first = child.ports[0];
    if (first !== undefined) {
      yield* portSocketWrite(ctx, port(ctx, first), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
    }
  }
}

/** nxt_proto_quit_handler */
export function* protoQuitHandler(ctx: Ctx, _recv: RecvMsg): Sys<void> {
  yield* protoQuit(ctx);
}

/** nxt_proto_sigterm_handler: the same as QUIT. */
export function* protoSigtermHandler(ctx: Ctx, sig: number): Sys<void> {
  log(ctx, `signal signo:${sig} received`);
  yield* protoQuit(ctx);
}

/** Both bodies in Unit: QUIT the children, then quit now if there are none. */
function* protoQuit(ctx: Ctx): Sys<void> {
  yield* protoQuitChildren(ctx);
  const proto = protoGlobals(ctx);
  proto.exiting = true;
  if (proto.children.length === 0) {
    yield* processQuit(ctx, 0);
  }
}

/** nxt_proto_sigchld_handler: pids are namespace-local here. */
export function* protoSigchldHandler(ctx: Ctx, _sig: number): Sys<void> {
  const fixed = hasFix(ctx.s.options, "633");
  yield* readBeforeCreatingReap(ctx);
  for (;;) {
    const w = yield* waitpidNext(ctx, "app process (isolated %PI)");
    if (w === null) return;
    const process = protoProcessRemove(ctx, w.pid);
    if (process === null) continue;
    traceTableSnapshot(ctx, "reap", deadRecordOf(ctx, process));
    const heldPort = fixed && !process.registered ? process.ports[0] ?? null : null;
    if (process.state !== NXT_PROCESS_STATE_CREATING && !hasMutant(ctx.s.options, "proto-no-notify")) {
      yield* portRemoveNotifyOthers(ctx, process);
    } else if (process.state === NXT_PROCESS_STATE_CREATING) {
      yield* announceCreatingDeath(ctx, process);
    }
    yield* processClosePorts(ctx, process);
    if (heldPort !== null) {
      portUse(ctx, port(ctx, heldPort), -1);
    }
    const proto = protoGlobals(ctx);
    if (proto.exiting && proto.children.length === 0) {
      yield* processQuit(ctx, 0);
      return;
    }
  }
}

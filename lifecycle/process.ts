// nxt_process.c: creating a process and bringing it up (the three matrices, start,
// clone, child fixup, setup), in Unit's order; process-handshake.ts has the child's WHOAMI,
// CREATED, credentials and READY.
//
// Where C's fork returns twice, the model's clone() hands the child a copy of the state and a
// named continuation (`processCreateChild`) that resumes exactly where the child would:
// after nxt_process_create returned 0, unwinding through nxt_process_start and its caller.

import { alert, heapAlloc, log, nxtAssert, port, proc, type Ctx } from "./context.ts";
import { freezePlain } from "./copy.ts";
import { CLONE_NEWPID, isErrno, type Json, type Pid, type WaitStatus, type Sys } from "./kernel.ts";
import { procKeepMatrix } from "./matrices.ts";
import { hasFix, hasMutant, hasUpstream } from "./options.ts";
import { portClose, portEnable, portNew, portResetNextId, portUse, stateName, typeName } from "./port.ts";
import { portReadClose, portSocketInit, portWriteClose, portWriteEnable } from "./port-socket.ts";
import { callCallerAgain, callProcessHook, runNamed } from "./registry.ts";
import {
  portByType,
  runtimePortRemove,
  runtimeProcessAdd,
  runtimeProcessEach,
  runtimeProcessRelease,
  runtimeQuit,
  stillRegistered,
} from "./runtime.ts";
import {
  NXT_PROCESS_MAIN,
  NXT_PROCESS_PROTOTYPE,
  NXT_PROCESS_STATE_CREATED,
  NXT_PROCESS_STATE_CREATING,
  NXT_PROCESS_STATE_READY,
  type Oid,
  type PortRec,
  type ProcessInit,
  type ProcessRec,
  type ProcessType,
} from "./state.ts";
import { emptyIsolation } from "./isolation.ts";
import { processCreateCgroupFailed } from "./cgroup.ts";
import { dropInheritedQueues } from "./repairs.ts";
import { processSendCreated, processSendReady, processWhoami } from "./process-handshake.ts";
import { forksAndUnshares, processInitPidns, processRecvPid, processUnshare, type ChildEntryArg } from "./process-pidns.ts";

/** A new record's zero-filled isolation: frozen and shared (a record gets its own only from nxt_process_isolation). */
const NO_ISOLATION = freezePlain(emptyIsolation());

/**
 * NXT_OK / NXT_ERROR / NXT_AGAIN, plus NEVER: a language module's start that does not
 * return because its request loop owns the process from then on.
 */
export type NxtInt = "OK" | "ERROR" | "AGAIN" | "NEVER";

/** The zero-filled descriptor of records made by nxt_runtime_process_get. */
const ZERO_INIT: ProcessInit = {
  type: NXT_PROCESS_MAIN,
  name: "",
  prefork: null,
  setup: "",
  start: "",
  restart: false,
  signals: "",
  portHandlers: "",
};

/** nxt_process_init(process) */
export function processInitOf(process: ProcessRec): ProcessInit {
  return process.init ?? ZERO_INIT;
}

/** nxt_process_new */
export function processNew(ctx: Ctx): ProcessRec {
  return heapAlloc<ProcessRec>(ctx, (oid) => ({
    kind: "process",
    oid,
    pid: 0,
    isolatedPid: 0,
    ports: [],
    state: NXT_PROCESS_STATE_CREATING,
    registered: false,
    useCount: 1,
    name: "",
    parentPort: null,
    stream: 0,
    init: null,
    children: [],
    link: null,
    userCred: null,
    isolation: NO_ISOLATION,
    data: null,
  }));
}

/** nxt_process_use */
export function processUse(ctx: Ctx, process: ProcessRec, delta: number): void {
  process.useCount += delta;
  if (process.useCount === 0) {
    runtimeProcessRelease(ctx, process);
  }
}

/** nxt_process_init_start: core processes (discovery, controller, router). */
export function* processInitStart(ctx: Ctx, init: ProcessInit): Sys<NxtInt> {
  const rt = ctx.s.rt;
  const process = processNew(ctx);
  process.parentPort = rt.portByType[rt.type] ?? null;
  process.name = init.name;
  process.userCred = freezePlain(rt.userCred); // &rt->user_cred: one frozen record, shared
  process.init = freezePlain({ ...init });
  const ret = yield* processStart(ctx, process, null);
  if (ret === "ERROR") {
    processUse(ctx, process, -1);
  }
  return ret;
}

/**
 * nxt_process_start. `caller` names what the caller does with NXT_AGAIN in the child
 * (null = nothing), since the child resumes through a continuation, not a return.
 */
export function* processStart(ctx: Ctx, process: ProcessRec, caller: string | null): Sys<NxtInt> {
  const init = processInitOf(process);
  const p = portNew(ctx, 0, 0, init.type);
  processPortAdd(ctx, process, p);

  let ret: NxtInt;
  if (!portSocketInit(ctx, p)) {
    portUse(ctx, p, -1);
    return "ERROR";
  }
  if (init.prefork !== null) {
    ret = yield* callProcessHook(init.prefork, ctx, process);
    if (ret !== "OK") {
      yield* portClose(ctx, p);
      portUse(ctx, p, -1);
      return ret;
    }
  }
  const pid = yield* processCreate(ctx, process, p, caller);
  if (pid === -1) {
    ret = "ERROR";
  } else {
    // The parent created a new process.
    processUse(ctx, process, -1);
    yield* portReadClose(ctx, p);
    portWriteEnable(ctx, p);
    ret = "OK";
  }
  if (ret === "ERROR" && !hasMutant(ctx.s.options, "312")) {
    yield* portClose(ctx, p);
  }
  portUse(ctx, p, -1);
  return ret;
}

/** nxt_process_create: the parent side; the child side is processCreateChild. */
export function* processCreate(ctx: Ctx, process: ProcessRec, p: PortRec, caller: string | null): Sys<Pid> {
  // 1.35 (b0e2d9d0): fork(), the child unshare()s; a pid-isolated one is made by a double fork.
  const forks = forksAndUnshares(ctx);
  const pipes = forks ? processInitPidns(ctx, process) : null;
  if (pipes === "ERROR") return -1;
  const arg: ChildEntryArg = { process: process.oid, port: p.oid, caller, pipes };
  let pid = yield* ctx.k.clone(forks ? 0 : process.isolation.clone.flags, ctx.s as unknown as Json, {
    fn: "processCreateChild",
    arg: arg as unknown as Json,
  });
  if (isErrno(pid)) {
    alert(ctx, `${forks ? "fork" : "clone"}() failed for ${process.name} ${pid.errno}`);
    return -1;
  }
  if (pipes !== null) {
    pid = yield* processRecvPid(ctx, pipes);
    if (pid === -1) return pid;
  }
  process.pid = pid;
  process.isolatedPid = pid;
  if (hasFix(ctx.s.options, "633") && ctx.s.rt.isPidIsolated) {
    // Fix 900828cc: never key a record by an isolated pid; hold the port instead.
    nxtAssert(ctx, process.ports.length > 0, "process_create: process has a port");
    portUse(ctx, port(ctx, process.ports[0]!), 1);
  } else {
    runtimeProcessAdd(ctx, process);
  }
  if (hasUpstream(ctx.s.options, "867a839f") && (yield* processCreateCgroupFailed(ctx, process, pid))) {
    return -1;
  }
  return pid;
}

/** The child's half of nxt_process_create (1.35: after its unshare), then the rest of nxt_process_start (case 0). */
export function* processCreateChild(ctx: Ctx, arg: ChildEntryArg): Sys<void> {
  if (forksAndUnshares(ctx) && (yield* processUnshare(ctx, proc(ctx, arg.process), arg)) === "ERROR") {
    return yield* ctx.k.exit(1); // _exit(EXIT_FAILURE)
  }
  yield* processChildStart(ctx, arg);
}

/** Not a Unit function: nxt_process_create's child branch from its fixup on, and the return through nxt_process_start. */
export function* processChildStart(ctx: Ctx, arg: ChildEntryArg): Sys<void> {
  const process = proc(ctx, arg.process);
  yield* processChildFixup(ctx, process);
  if ((yield* processSetup(ctx, process)) !== "OK") {
    yield* processQuit(ctx, 1);
  }
  processUse(ctx, process, -1);
  portUse(ctx, port(ctx, arg.port), -1);
  if (arg.caller !== null) {
    yield* callCallerAgain(arg.caller, ctx, arg.process);
  }
}

/** nxt_process_child_fixup */
export function* processChildFixup(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  const init = processInitOf(process);
  ctx.s.ppid = ctx.s.pid;
  ctx.s.pid = ctx.k.getpid();
  process.pid = ctx.s.pid;
  process.isolatedPid = ctx.s.pid;
  const ptype = init.type;
  portResetNextId(ctx);
  ctx.k.trace({ what: "handshake", step: "child-fixup", detail: { pid: ctx.s.pid, ppid: ctx.s.ppid } });
  yield* dropInheritedQueues(ctx);

  // Remove not ready processes.
  const keepAll = hasMutant(ctx.s.options, "keep-all");
  for (const oid of keepAll ? [] : runtimeProcessEach(ctx)) {
    if (!stillRegistered(ctx, oid)) continue;
    const p = proc(ctx, oid);
    if (procKeepMatrix(ctx.s.options)[ptype]![processType(ctx, p)] === 0 && p.pid !== ctx.s.ppid) {
      yield* processClosePorts(ctx, p);
      continue;
    }
    if (p.state !== NXT_PROCESS_STATE_READY) {
      yield* processClosePorts(ctx, p);
      continue;
    }
  }
  if (hasFix(ctx.s.options, "633")) {
    for (const siblingOid of siblingsOf(ctx)) {
      yield* processClosePorts(ctx, proc(ctx, siblingOid));
    }
  }
  // What the child still holds: entries with an open port fd (a closed port can linger in
  // the table while a queued message still references it).
  const kept = [...runtimeProcessEach(ctx)]
    .filter((oid) => stillRegistered(ctx, oid) && proc(ctx, oid).ports.some((q) => port(ctx, q).pair.some((fd) => fd !== -1)))
    .map((oid) => {
      const p = proc(ctx, oid);
      return { pid: p.pid, type: processType(ctx, p), state: stateName(p.state) };
    });
  ctx.k.trace({ what: "fixup", kept });
  return "OK";
}

/** Fix 900828cc: the prototype's children list that a forked app must drop (init->siblings). */
function siblingsOf(ctx: Ctx): Oid[] {
  return ctx.s.rt.type === NXT_PROCESS_PROTOTYPE && ctx.s.proto !== null ? [...ctx.s.proto.children] : [];
}

/** nxt_process_setup */
export function* processSetup(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  const init = processInitOf(process);
  const rt = ctx.s.rt;
  ctx.k.trace({ what: "type", type: typeName(init.type), name: process.name });
  rt.type = init.type;
  yield* runNamed(ctx, init.signals, null);
  nxtAssert(ctx, process.parentPort !== null, "process_setup: parent port exists");
  const parent = port(ctx, process.parentPort);
  yield* portReadClose(ctx, parent);
  portWriteEnable(ctx, parent);
  if ((process.isolation.clone.flags & CLONE_NEWPID) !== 0) {
    rt.isPidIsolated = true;
  }
  if (rt.isPidIsolated || process.parentPort !== rt.portByType[NXT_PROCESS_MAIN]) {
    return yield* processWhoami(ctx, process);
  }
  return yield* processDoStart(ctx, process);
}

/** nxt_process_do_start */
export function* processDoStart(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  runtimeProcessAdd(ctx, process);
  const init = processInitOf(process);
  const own = port(ctx, process.ports[0]!);
  portEnable(ctx, own, init.portHandlers);
  const setup = yield* callProcessHook(init.setup, ctx, process);
  if (setup === "NEVER") {
    return "NEVER";
  }
  if (setup !== "OK") {
    return "ERROR";
  }
  let ret: NxtInt;
  switch (process.state) {
    case NXT_PROCESS_STATE_CREATED:
      ret = yield* processSendCreated(ctx, process);
      break;
    case NXT_PROCESS_STATE_READY:
      ret = yield* processSendReady(ctx, process);
      if (ret !== "OK") break;
      ctx.k.trace({ what: "handshake", step: "start" });
      ret = yield* callProcessHook(init.start, ctx, process);
      yield* portWriteClose(ctx, own);
      break;
    default:
      ctx.k.abort("assertion failed: do_start: state after setup is CREATED or READY");
  }
  if (ret !== "OK") {
    alert(ctx, `${process.name} failed to start`);
  }
  return ret;
}

// nxt_process_execute (posix_spawn) serves only the binary-upgrade path, outside the
// lifecycle; it is not modelled.

/**
 * nxt_process_daemon: fork, the parent exits 0, the child goes on at `next`.
 * Departure: setsid, umask and the /dev/null redirection have no Kernel call and are skipped.
 */
export function* processDaemon(ctx: Ctx, next: string): Sys<NxtInt> {
  const pid = yield* ctx.k.clone(0, ctx.s as unknown as Json, { fn: "processDaemonChild", arg: next });
  if (isErrno(pid)) {
    alert(ctx, `fork() failed ${pid.errno}`);
    return "ERROR";
  }
  return yield* ctx.k.exit(0);
}

export function* processDaemonChild(ctx: Ctx, next: string): Sys<void> {
  ctx.s.pid = ctx.k.getpid();
  yield* runNamed(ctx, next, null);
}

/** nxt_process_port_add */
export function processPortAdd(ctx: Ctx, process: ProcessRec, p: PortRec): void {
  nxtAssert(ctx, p.process === null, "process_port_add: port->process == NULL");
  p.process = process.oid;
  process.ports.push(p.oid);
  processUse(ctx, process, 1);
}

/** nxt_process_type: the type of the first port, MAIN (0) if the record has none. */
export function processType(ctx: Ctx, process: ProcessRec): ProcessType {
  const first = process.ports[0];
  return first === undefined ? NXT_PROCESS_MAIN : port(ctx, first).type;
}

/** nxt_process_close_ports */
export function* processClosePorts(ctx: Ctx, process: ProcessRec): Sys<void> {
  const fixed = hasFix(ctx.s.options, "633");
  if (fixed) processUse(ctx, process, 1);
  for (const portOid of [...process.ports]) {
    const p = port(ctx, portOid);
    yield* portClose(ctx, p);
    runtimePortRemove(ctx, p);
  }
  if (fixed) processUse(ctx, process, -1);
}

/**
 * The waitpid(-1, WNOHANG) step that main's and the prototype's SIGCHLD loops share: the
 * next reaped child (logged as Unit logs it, `who` with %PI for the pid), or null when there
 * is none left (0, ECHILD, or another error, which is alerted). EINTR retries.
 */
export function* waitpidNext(ctx: Ctx, who: string): Sys<WaitStatus | null> {
  for (;;) {
    const w = yield* ctx.k.waitpid();
    if (isErrno(w)) {
      if (w.errno === "EINTR") continue;
      if (w.errno !== "ECHILD") alert(ctx, `waitpid() failed: ${w.errno}`);
      return null;
    }
    if (w === 0) return null;
    const name = who.replace("%PI", String(w.pid));
    if (w.signaled !== undefined) {
      alert(ctx, `${name} exited on signal ${w.signaled}`);
    } else {
      log(ctx, `${name} exited with code ${w.exited}`);
    }
    return w;
  }
}

/** nxt_process_quit */
export function* processQuit(ctx: Ctx, status: number): Sys<void> {
  ctx.k.trace({ what: "quit", status });
  yield* runtimeQuit(ctx, status);
}

export const PROCESS_STATE = {
  CREATING: NXT_PROCESS_STATE_CREATING,
  CREATED: NXT_PROCESS_STATE_CREATED,
  READY: NXT_PROCESS_STATE_READY,
} as const;

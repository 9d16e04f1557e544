// nxt_port.c: ports (a socketpair each, port-socket.ts writes and reads them), dispatch
// through a handler table, and the generic NEW_PORT, PROCESS_READY and REMOVE_PID handlers
// with the send matrix.

import { alert, heapAlloc, heapFree, nxtAssert, port, proc, type Ctx } from "./context.ts";
import type { Fd, Pid, Sys } from "./kernel.ts";
import { LVLHSH_RPC_REG_PROTO, lvlhshCreate, lvlhshIsEmpty } from "./lvlhsh.ts";
import { hasMutant } from "./options.ts";
import { MSG_TYPE_NAMES, NXT_PORT_MSG_MAX, NXT_PORT_MSG_NEW_PORT } from "./port-messages.ts";
import { portRpcClose, portRpcRemovePeer } from "./port-rpc.ts";
import { portReadEnable, portSocketWrite, portWriteEnable } from "./port-socket.ts";
import { procRemoveNotifyMatrix, procSendMatrix } from "./matrices.ts";
import { processClosePorts, processType, processUse } from "./process.ts";
import { callMessageHandler, runNamed, handlerTable } from "./registry.ts";
import { deadRecordOf, traceTableSnapshot } from "./table-report.ts";
import { hostPidOfNamedChild, keepsWriteEndToSend } from "./repairs.ts";
import { notifyOrder, readyAfterReap, writeRemovePid } from "./repairs-notify.ts";
import {
  runtimePortFind,
  runtimeProcessEach,
  runtimeProcessFind,
  runtimeProcessPortCreate,
  stillRegistered,
} from "./runtime.ts";
import {
  NXT_PROCESS_STATE_READY,
  PROCESS_STATE_NAMES,
  PROCESS_TYPE_NAMES,
  type Oid,
  type PortMsg,
  type PortRec,
  type ProcessRec,
  type ProcessType,
} from "./state.ts";

export const NXT_PORT_MAX_SIZE = 16 * 1024;
export const NXT_PORT_MAX_SHARE = 64 * 1024;

/** A received message as handlers see it (nxt_port_recv_msg_t). Handlers may take the fds. */
export interface RecvMsg {
  port: Oid;
  msg: PortMsg;
  fd: [Fd, Fd];
  /** SCM_CREDENTIALS pid as seen from this process's pid namespace. */
  cmsgPid: Pid;
  /** Filled by the generic NEW_PORT handler (msg->u.new_port). */
  newPort: Oid | null;
  /** Filled by REMOVE_PID handling (msg->u.removed_pid). */
  removedPid: Pid;
}

// ---- objects ----------------------------------------------------------------------------

export function portNew(ctx: Ctx, id: number, pid: Pid, type: ProcessType): PortRec {
  const p = heapAlloc<PortRec>(ctx, (oid) => ({
    kind: "port",
    oid,
    id,
    pid,
    type,
    pair: [-1, -1],
    queueFd: -1,
    process: null,
    useCount: 1,
    handlers: null,
    readActive: false,
    writeEnabled: false,
    maxSize: 0,
    maxShare: 0,
    rpcStreams: lvlhshCreate(LVLHSH_RPC_REG_PROTO),
    rpcRegs: {},
    rpcPeers: {},
    queued: [],
    app: null,
  }));
  return p;
}

/** nxt_port_use */
export function portUse(ctx: Ctx, p: PortRec, delta: number): void {
  p.useCount += delta;
  if (delta < 0 && p.useCount === 0) {
    portRelease(ctx, p);
  }
}

/** nxt_port_release followed by the memory pool cleanup and its assertions. */
function portRelease(ctx: Ctx, p: PortRec): void {
  p.app = null;
  if (p.process !== null) {
    const owner = proc(ctx, p.process);
    owner.ports.splice(owner.ports.indexOf(p.oid), 1);
    processUse(ctx, owner, -1);
  }
  nxtAssert(ctx, p.pair[0] === -1, `port ${p.pid}:${p.id} cleanup: pair[0] == -1`);
  nxtAssert(ctx, p.pair[1] === -1, `port ${p.pid}:${p.id} cleanup: pair[1] == -1`);
  nxtAssert(ctx, p.useCount === 0, "port cleanup: use_count == 0");
  nxtAssert(ctx, p.queued.length === 0, "port cleanup: no queued messages");
  nxtAssert(ctx, lvlhshIsEmpty(p.rpcStreams), "port cleanup: rpc_streams empty");
  nxtAssert(ctx, Object.keys(p.rpcPeers).length === 0, "port cleanup: rpc_peers empty");
  heapFree(ctx, p.oid);
}

/** nxt_port_get_next_id / nxt_port_reset_next_id */
export function portGetNextId(ctx: Ctx): number {
  return ctx.s.portNextId++;
}

export function portResetNextId(ctx: Ctx): void {
  ctx.s.portNextId = 1;
}

// ---- the socket -------------------------------------------------------------------------

/** nxt_port_enable: the port becomes ours (pid = nxt_pid) and starts reading. */
export function portEnable(ctx: Ctx, p: PortRec, handlers: string): void {
  p.pid = ctx.s.pid;
  portReadEnable(ctx, p, handlers);
}

/** nxt_port_close */
export function* portClose(ctx: Ctx, p: PortRec): Sys<void> {
  if (p.pair[0] !== -1) {
    yield* portRpcClose(ctx, p);
    ctx.k.unwatchRead(p.pair[0]);
    delete ctx.s.rt.readPorts[p.pair[0]];
    yield* ctx.k.close(p.pair[0]);
    p.pair[0] = -1;
  }
  if (p.pair[1] !== -1) {
    if (!keepsWriteEndToSend(ctx, p)) {
      yield* ctx.k.close(p.pair[1]);
      p.pair[1] = -1;
    }
    if (p.app !== null) {
      yield* runNamed(ctx, "routerAppPortClose", p.oid);
    }
  }
  if (p.queueFd !== -1) {
    yield* ctx.k.close(p.queueFd);
    p.queueFd = -1;
  }
}

/** nxt_port_handler: index the handler table; an empty slot is a NULL call (crash). */
export function* portHandler(ctx: Ctx, p: PortRec, recv: RecvMsg): Sys<void> {
  const type = recv.msg.type;
  if (type >= NXT_PORT_MSG_MAX) {
    alert(ctx, `port ${p.pid}:${p.id}: unknown message type:${type}`);
    return;
  }
  const tableName = p.handlers;
  const handlerName = tableName === null ? undefined : handlerTable(tableName)[MSG_TYPE_NAMES[type]!];
  if (handlerName === undefined) {
    ctx.k.abort(`NULL port handler: ${MSG_TYPE_NAMES[type]} arrived on a port with table ${tableName ?? "none"}`);
  }
  yield* callMessageHandler(handlerName, ctx, recv);
}

// ---- generic handlers -------------------------------------------------------------------

/** nxt_port_send_new_port: tell every process the send matrix allows about new_port. */
export function* portSendNewPort(ctx: Ctx, newPort: PortRec, stream: number): Sys<void> {
  for (const oid of runtimeProcessEach(ctx)) {
    if (!stillRegistered(ctx, oid)) continue;
    const process = proc(ctx, oid);
    if (process.pid === newPort.pid || process.pid === ctx.s.pid) {
      continue;
    }
    const firstOid = process.ports[0];
    if (firstOid === undefined) {
      // Unit dereferences the first port without a check: garbage in C.
      ctx.k.abort(`send_new_port: process ${process.pid} has no port`);
    }
    const q = port(ctx, firstOid);
    if (procSendMatrix(ctx.s.options)[q.type]![newPort.type] === 1 || hasMutant(ctx.s.options, "send-all")) {
      yield* portSendPort(ctx, q, newPort, stream);
    }
  }
}

/** nxt_port_send_port: the body's max_size/max_share come from the RECEIVING port (quirk). */
export function* portSendPort(ctx: Ctx, to: PortRec, newPort: PortRec, stream: number): Sys<void> {
  const body = {
    id: newPort.id,
    pid: newPort.pid,
    maxSize: to.maxSize,
    maxShare: to.maxShare,
    type: newPort.type,
  };
  yield* portSocketWrite(ctx, to, NXT_PORT_MSG_NEW_PORT, newPort.pair[1], newPort.queueFd, stream, 0, body);
}

export interface NewPortBody {
  id: number;
  pid: Pid;
  maxSize: number;
  maxShare: number;
  type: ProcessType;
}

/** nxt_port_new_port_handler */
export function* portNewPortHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const body = recv.msg.body as unknown as NewPortBody;
  const existing = runtimePortFind(ctx, body.pid, body.id);
  if (existing !== null) {
    recv.newPort = existing.oid;
    if (recv.fd[0] !== -1) {
      yield* ctx.k.close(recv.fd[0]);
    }
    recv.fd[0] = -1;
    return;
  }
  const p = runtimeProcessPortCreate(ctx, body.pid, body.id, body.type);
  p.pair = [-1, recv.fd[0]];
  p.maxSize = body.maxSize;
  p.maxShare = body.maxShare;
  portWriteEnable(ctx, p);
  recv.newPort = p.oid;
}

/** nxt_port_process_ready_handler (main and prototypes). */
export function* portProcessReadyHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const process = runtimeProcessFind(ctx, recv.msg.pid);
  ctx.k.trace({ what: "handler", fn: "portProcessReadyHandler", found: process !== null });
  if (process === null || readyAfterReap(ctx, process)) {
    return;
  }
  nxtAssert(ctx, process.state !== NXT_PROCESS_STATE_READY, `process_ready: process ${process.pid} not READY yet`);
  const from = process.state;
  process.state = NXT_PROCESS_STATE_READY;
  ctx.k.trace({ what: "state", of: process.pid, from: stateName(from), to: "READY", table: "parent" });
  nxtAssert(ctx, process.ports.length > 0, "process_ready: record has a port");
  const first = port(ctx, process.ports[0]!);
  if (recv.fd[0] !== -1) {
    first.queueFd = recv.fd[0];
    recv.fd[0] = -1;
  }
  yield* portSendNewPort(ctx, first, hasMutant(ctx.s.options, "ready-drops-stream") ? 0 : recv.msg.stream);
}

/** nxt_port_remove_pid_handler */
export function* portRemovePidHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  nxtAssert(ctx, typeof recv.msg.body === "number", "remove_pid: body is exactly one pid");
  yield* portRemovePid(ctx, recv, hostPidOfNamedChild(ctx, recv) ?? (recv.msg.body as number));
}

export function* portRemovePid(ctx: Ctx, recv: RecvMsg, pid: Pid): Sys<void> {
  recv.removedPid = pid;
  yield* portRpcRemovePeer(ctx, port(ctx, recv.port), pid);
  const process = runtimeProcessFind(ctx, pid);
  const dead = process === null ? null : deadRecordOf(ctx, process);
  if (process !== null) {
    if (hasMutant(ctx.s.options, "remove-pid-leaks-record")) {
      processUse(ctx, process, 1);
    }
    yield* processClosePorts(ctx, process);
  }
  traceTableSnapshot(ctx, "remove-pid", dead);
}

/** nxt_port_remove_notify_others: REMOVE_PID where the remove_notify matrix says. */
export function* portRemoveNotifyOthers(ctx: Ctx, dead: ProcessRec): Sys<void> {
  const ptype = processType(ctx, dead);
  for (const oid of notifyOrder(ctx)) {
    if (!stillRegistered(ctx, oid)) continue;
    const p = proc(ctx, oid);
    if (p.pid === ctx.s.pid || p.pid === dead.pid || p.ports.length === 0) {
      continue;
    }
    const q = port(ctx, p.ports[0]!);
    if (procRemoveNotifyMatrix(ctx.s.options)[ptype]![q.type] === 1 || hasMutant(ctx.s.options, "notify-all")) {
      yield* writeRemovePid(ctx, q, dead);
      if (hasMutant(ctx.s.options, "notify-twice")) {
        yield* writeRemovePid(ctx, q, dead);
      }
    }
  }
}

export function portEmptyHandler(_ctx: Ctx, _recv: RecvMsg): void {}

export function stateName(state: number): string {
  return PROCESS_STATE_NAMES[state] ?? String(state);
}

export function typeName(type: number): string {
  return PROCESS_TYPE_NAMES[type] ?? String(type);
}

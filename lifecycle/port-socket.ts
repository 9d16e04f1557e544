// nxt_port_socket.c: a port's socketpair, writing a message (queued on EAGAIN, flushed by the
// write handler, dropped by the error handler) and reading one for dispatch (port.ts).

import { alert, port, type Ctx } from "./context.ts";
import { isErrno, EOF, type Fd, type Json, type Sys } from "./kernel.ts";
import { msgOffWire, msgOnWire, msgTypeName, type MsgKind } from "./port-messages.ts";
import { NXT_PORT_MAX_SHARE, NXT_PORT_MAX_SIZE, portHandler, portUse, type RecvMsg } from "./port.ts";
import { closeSentPort } from "./repairs.ts";
import { exitCheckOnRelease } from "./repairs-shutdown.ts";
import type { Oid, PortMsg, PortRec } from "./state.ts";

/** nxt_port_socket_init */
export function portSocketInit(ctx: Ctx, p: PortRec): boolean {
  const pair = ctx.k.socketpair();
  if (isErrno(pair)) {
    alert(ctx, `socketpair() failed ${pair.errno}`);
    return false;
  }
  p.pair = [pair[0], pair[1]];
  p.maxSize = NXT_PORT_MAX_SIZE;
  p.maxShare = NXT_PORT_MAX_SHARE;
  return true;
}

export function portReadEnable(ctx: Ctx, p: PortRec, handlers: string): void {
  p.handlers = handlers;
  p.readActive = true;
  ctx.s.rt.readPorts[p.pair[0]] = p.oid;
  ctx.k.watchRead(p.pair[0], "portReadHandler");
}

export function* portReadClose(ctx: Ctx, p: PortRec): Sys<void> {
  p.readActive = false;
  if (p.pair[0] !== -1) {
    ctx.k.unwatchRead(p.pair[0]);
    delete ctx.s.rt.readPorts[p.pair[0]];
    yield* ctx.k.close(p.pair[0]);
    p.pair[0] = -1;
  }
}

export function portWriteEnable(_ctx: Ctx, p: PortRec): void {
  p.writeEnabled = true;
}

export function* portWriteClose(ctx: Ctx, p: PortRec): Sys<void> {
  if (p.pair[1] !== -1) {
    yield* ctx.k.close(p.pair[1]);
    p.pair[1] = -1;
  }
}

// ---- writing ----------------------------------------------------------------------------

/**
 * nxt_port_socket_write2. Like Unit it reports success even when the datagram cannot be
 * written: EAGAIN queues it on the port, any other error drops it (the port error handler).
 */
export function* portSocketWrite(
  ctx: Ctx,
  p: PortRec,
  kind: MsgKind,
  fd: Fd,
  fd2: Fd,
  stream: number,
  replyPort: number,
  body: Json,
): Sys<void> {
  const msg: PortMsg = { type: kind.code, last: kind.last, stream, pid: ctx.s.pid, replyPort, body };
  const fds = [fd, fd2].filter((f) => f !== -1);
  if (p.queued.length > 0 || !p.writeEnabled) {
    // Not write-enabled (main's own port) or already backed up: queued, in order.
    p.queued.push({ msg, fds, closeFds: false });
    portUse(ctx, p, 1);
    return;
  }
  yield* portSendOrQueue(ctx, p, msg, fds);
}

function* portSendOrQueue(ctx: Ctx, p: PortRec, msg: PortMsg, fds: Fd[]): Sys<void> {
  const ret = yield* ctx.k.sendmsg(p.pair[1], { data: msgOnWire(ctx.s.options, msg) as unknown as Json, fds });
  if (ret === undefined) {
    return;
  }
  if (ret.errno === "EAGAIN") {
    p.queued.push({ msg, fds, closeFds: false });
    portUse(ctx, p, 1);
    if (p.queued.length === 1) {
      // Departure: Unit waits for EPOLLOUT; the model retries on a 1 ms timer.
      ctx.k.setTimer(1, { fn: "portWriteHandler", arg: p.oid });
    }
    return;
  }
  alert(ctx, `sendmsg(${p.pair[1]}) to port ${p.pid}:${p.id} failed ${ret.errno}: ${msgTypeName(msg.type)} dropped`);
}

/** nxt_port_write_handler: flush what EAGAIN left queued, in order. */
export function* portWriteHandler(ctx: Ctx, portOid: Oid): Sys<void> {
  const nprocesses = ctx.s.rt.nprocesses;
  yield* portWriteQueued(ctx, portOid);
  yield* exitCheckOnRelease(ctx, nprocesses);
}

/** The body of nxt_port_write_handler: each message written or dropped gives back its port reference. */
function* portWriteQueued(ctx: Ctx, portOid: Oid): Sys<void> {
  if (ctx.s.heap.objs[portOid] === undefined) {
    return;
  }
  yield* portFlushQueued(ctx, port(ctx, portOid), false);
}

/**
 * Sends what is queued on the port, in order. On EAGAIN it retries on a timer, as Unit's
 * write handler does, or at once with `spin` (a repair's write that waits on a full socket).
 */
export function* portFlushQueued(ctx: Ctx, p: PortRec, spin: boolean): Sys<void> {
  const portOid = p.oid;
  while (p.queued.length > 0) {
    const head = p.queued[0]!;
    const ret = yield* ctx.k.sendmsg(p.pair[1], { data: msgOnWire(ctx.s.options, head.msg) as unknown as Json, fds: head.fds });
    if (ret !== undefined && ret.errno === "EAGAIN") {
      if (spin) continue;
      ctx.k.setTimer(1, { fn: "portWriteHandler", arg: portOid });
      return;
    }
    p.queued.shift();
    if (ret !== undefined) {
      alert(ctx, `sendmsg(${p.pair[1]}) failed ${ret.errno}: ${msgTypeName(head.msg.type)} dropped`);
    }
    if (p.queued.length === 0) yield* closeSentPort(ctx, p);
    portUse(ctx, p, -1);
    if (ctx.s.heap.objs[portOid] === undefined) {
      return;
    }
  }
}

/** nxt_port_error_handler: the queued messages of a failed port are dropped. */
export function* portErrorHandler(ctx: Ctx, portOid: Oid): Sys<void> {
  if (ctx.s.heap.objs[portOid] === undefined) {
    return;
  }
  const nprocesses = ctx.s.rt.nprocesses;
  const p = port(ctx, portOid);
  const dropped = p.queued.length;
  p.queued = [];
  for (let i = 0; i < dropped; i++) {
    portUse(ctx, p, -1);
  }
  yield* exitCheckOnRelease(ctx, nprocesses);
}

// ---- reading ----------------------------------------------------------------------------

/** nxt_port_read_handler for one readable event: one datagram, then dispatch. */
export function* portReadHandler(ctx: Ctx, fd: Fd): Sys<void> {
  yield* portReadMessage(ctx, fd);
}

/** One datagram of a port we read, dispatched; false when there was none to read. */
export function* portReadMessage(ctx: Ctx, fd: Fd): Sys<boolean> {
  const portOid = ctx.s.rt.readPorts[fd];
  if (portOid === undefined) {
    ctx.k.unwatchRead(fd);
    return false;
  }
  const p = port(ctx, portOid);
  const r = yield* ctx.k.recvmsg(fd);
  if (r === EOF || isErrno(r)) {
    if (isErrno(r) && r.errno === "EAGAIN") {
      return false;
    }
    // n == 0 or an error: Unit stops reading this port and runs its error handler.
    ctx.k.unwatchRead(fd);
    ctx.k.post({ fn: "portErrorHandler", arg: portOid });
    return false;
  }
  const msg = msgOffWire(ctx.s.options, r.data as unknown as PortMsg);
  const recv: RecvMsg = {
    port: p.oid,
    msg,
    fd: [r.fds[0] ?? -1, r.fds[1] ?? -1],
    cmsgPid: r.credPid,
    newPort: null,
    removedPid: 0,
  };
  yield* portHandler(ctx, p, recv);
  return true;
}

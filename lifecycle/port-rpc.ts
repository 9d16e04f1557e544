// nxt_port_rpc.c: request streams registered on a port we read, resolved by RPC_READY or
// RPC_ERROR replies (the LAST flag removes the registration), by a peer's death
// (remove_peer), by cancel, or by closing the port.
//
// Stream numbers come from ONE counter in a MAP_SHARED page that main maps before any fork,
// so they are unique across every process of the server.

import { nxtAssert, port, type Ctx } from "./context.ts";
import type { Json, Pid, Sys } from "./kernel.ts";
import { RAW } from "./port-messages.ts";
import { portUse, type RecvMsg } from "./port.ts";
import { callRpcHandler } from "./registry.ts";
import type { PortRec, RpcReg } from "./state.ts";

/** nxt_port_rpc_init: main maps the shared counter page, starting at 1. */
export function portRpcInit(ctx: Ctx): void {
  ctx.s.rt.streamCounter = ctx.k.mmapSharedCounter(1);
}

function* nextStream(ctx: Ctx): Sys<number> {
  return (yield* ctx.k.sharedFetchAdd(ctx.s.rt.streamCounter, 1)) >>> 0;
}

/** nxt_port_rpc_register_handler: peer -1 means none. Returns the stream (0 = failure). */
export function* portRpcRegisterHandler(
  ctx: Ctx,
  p: PortRec,
  ready: string,
  error: string,
  peer: Pid,
  data: Json,
): Sys<number> {
  nxtAssert(ctx, p.pair[0] !== -1, "rpc register: port->pair[0] != -1");
  const stream = yield* nextStream(ctx);
  const reg: RpcReg = { stream, ready, error, peer, data };
  p.rpcStreams[stream] = reg;
  portUse(ctx, p, 1);
  if (peer !== -1) {
    (p.rpcPeers[peer] ??= []).push(stream);
  }
  ctx.k.trace({ what: "rpc", op: "register", stream, peer });
  return stream;
}

/** nxt_port_rpc_ex_set_peer: (re)index a registration under a peer. */
export function portRpcExSetPeer(ctx: Ctx, p: PortRec, stream: number, peer: Pid): void {
  const reg = p.rpcStreams[stream];
  if (reg === undefined) {
    return;
  }
  if (reg.peer !== -1) {
    removeFromPeers(p, reg);
  }
  reg.peer = peer;
  (p.rpcPeers[peer] ??= []).push(stream);
  void ctx;
}

function removeFromPeers(p: PortRec, reg: RpcReg): void {
  const list = p.rpcPeers[reg.peer];
  if (list === undefined) {
    return;
  }
  const index = list.indexOf(reg.stream);
  if (index >= 0) {
    list.splice(index, 1);
  }
  if (list.length === 0) {
    delete p.rpcPeers[reg.peer];
  }
}

/** nxt_port_rpc_handler: find (or, with LAST, remove) the stream and call ready or error. */
export function* portRpcHandler(ctx: Ctx, recv: RecvMsg): Sys<void> {
  const p = port(ctx, recv.port);
  const stream = recv.msg.stream;
  const reg = p.rpcStreams[stream];
  if (reg === undefined) {
    return;
  }
  const last = recv.msg.last;
  if (last) {
    delete p.rpcStreams[stream];
  }
  const isError = recv.msg.type === RAW.RPC_ERROR;
  ctx.k.trace({ what: "rpc", op: isError ? "error" : "resolve", stream });
  yield* callRpcHandler(isError ? reg.error : reg.ready, ctx, recv, reg.data);
  if (!last) {
    return;
  }
  if (reg.peer !== -1) {
    removeFromPeers(p, reg);
  }
  portUse(ctx, p, -1);
}

/** nxt_port_rpc_cancel: drop silently. */
export function portRpcCancel(ctx: Ctx, p: PortRec, stream: number): void {
  const reg = p.rpcStreams[stream];
  if (reg === undefined) {
    return;
  }
  delete p.rpcStreams[stream];
  if (reg.peer !== -1) {
    removeFromPeers(p, reg);
  }
  ctx.k.trace({ what: "rpc", op: "cancel", stream });
  portUse(ctx, p, -1);
}

/**
 * nxt_port_rpc_remove_peer: every registration on this port waiting on `peer` gets its
 * error handler with a synthetic REMOVE_PID+LAST; a handler that clears `last` keeps it.
 */
export function* portRpcRemovePeer(ctx: Ctx, p: PortRec, peer: Pid): Sys<void> {
  const streams = p.rpcPeers[peer];
  if (streams === undefined) {
    return;
  }
  delete p.rpcPeers[peer];
  for (const stream of [...streams]) {
    const reg = p.rpcStreams[stream];
    if (reg === undefined) {
      ctx.k.abort(`rpc peer list of ${peer} names stream #${stream} that has no registration`);
    }
    reg.peer = -1;
    const recv: RecvMsg = {
      port: p.oid,
      msg: { type: RAW.REMOVE_PID, last: true, stream, pid: ctx.s.pid, replyPort: 0, body: null },
      fd: [-1, -1],
      cmsgPid: 0,
      newPort: null,
      removedPid: peer,
    };
    ctx.k.trace({ what: "rpc", op: "error", stream, peer });
    yield* callRpcHandler(reg.error, ctx, recv, reg.data);
    if (!recv.msg.last) {
      continue;
    }
    if (p.rpcStreams[stream] === undefined) {
      ctx.k.trace({ what: "alert", text: `rpc: stream #${stream} failed to delete handler` });
      return;
    }
    delete p.rpcStreams[stream];
    portUse(ctx, p, -1);
  }
}

/** nxt_port_rpc_close: every pending registration gets exactly one RPC_ERROR+LAST. */
export function* portRpcClose(ctx: Ctx, p: PortRec): Sys<void> {
  for (;;) {
    const first = Object.keys(p.rpcStreams)[0];
    if (first === undefined) {
      return;
    }
    const recv: RecvMsg = {
      port: p.oid,
      msg: { type: RAW.RPC_ERROR, last: true, stream: Number(first), pid: ctx.s.pid, replyPort: 0, body: null },
      fd: [-1, -1],
      cmsgPid: 0,
      newPort: null,
      removedPid: 0,
    };
    yield* portRpcHandler(ctx, recv);
  }
}

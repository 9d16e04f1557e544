// nxt_port_rpc.c: request streams registered on a port we read, resolved by RPC_READY or
// RPC_ERROR replies (the LAST flag removes the registration), by a peer's death
// (remove_peer), by cancel, or by closing the port.
//
// Stream numbers come from ONE counter in a MAP_SHARED page that main maps before any fork,
// so they are unique across every process of the server.

import { alert, nxtAssert, port, type Ctx } from "./context.ts";
import { lvlhshFind, lvlhshInsert } from "./lvlhsh.ts";
import { lvlhshDelete, lvlhshPeek } from "./lvlhsh-delete.ts";
import { rpcStreamKeyHash } from "./murmur-hash.ts";
import type { Json, Pid, Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import { RAW } from "./port-messages.ts";
import { portUse, type RecvMsg } from "./port.ts";
import { callRpcHandler } from "./registry.ts";
import type { PortRec, RpcReg } from "./state.ts";

/** nxt_port_rpc_init: main maps the shared counter page, starting at 1. */
export function portRpcInit(ctx: Ctx): void {
  // The stream-counter-private mutant: the field holds the counter itself, copied at each fork.
  ctx.s.rt.streamCounter = hasMutant(ctx.s.options, "stream-counter-private") ? 1 : ctx.k.mmapSharedCounter(1);
}

function* nextStream(ctx: Ctx): Sys<number> {
  if (hasMutant(ctx.s.options, "stream-counter-private")) return ctx.s.rt.streamCounter++ >>> 0;
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
  if (lvlhshInsert(p.rpcStreams, rpcStreamKeyHash(stream), stream, stream) !== undefined) {
    // The test compares hashes only: a stream whose hash another pending one has is refused.
    alert(ctx, `rpc: stream #${stream} failed to add reg`);
    return 0;
  }
  p.rpcRegs[stream] = { stream, ready, error, peer: -1, data };
  portUse(ctx, p, 1);
  if (peer !== -1) {
    addToPeers(p, stream, peer);
  }
  ctx.k.trace({ what: "rpc", op: "register", stream, peer, port: p.oid });
  return stream;
}

/**
 * The registration a stream's lookup finds, and with `remove` takes out of port->rpc_streams
 * (nxt_lvlhsh_find or nxt_lvlhsh_delete; any entry with the stream's hash passes the test).
 */
function rpcRegLookup(p: PortRec, stream: number, remove: boolean): RpcReg | undefined {
  const hash = rpcStreamKeyHash(stream);
  const found = remove ? lvlhshDelete(p.rpcStreams, hash, stream) : lvlhshFind(p.rpcStreams, hash, stream);
  if (found === undefined) return undefined;
  const reg = p.rpcRegs[found];
  if (remove) delete p.rpcRegs[found];
  return reg;
}

/** A peer's registrations are a queue whose head the peers hash holds: a new one goes in after the head. */
function addToPeers(p: PortRec, stream: number, peer: Pid): void {
  const reg = p.rpcRegs[stream];
  if (reg === undefined) return;
  reg.peer = peer;
  const queue = (p.rpcPeers[peer] ??= []);
  queue.splice(Math.min(1, queue.length), 0, stream);
}

/** nxt_port_rpc_ex_set_peer: (re)index a registration under a peer. */
export function portRpcExSetPeer(ctx: Ctx, p: PortRec, stream: number, peer: Pid): void {
  const reg = p.rpcRegs[stream];
  if (reg === undefined || reg.peer === peer) {
    return;
  }
  if (reg.peer !== -1) {
    removeFromPeers(p, reg);
    reg.peer = -1;
  }
  if (peer !== -1) {
    addToPeers(p, stream, peer);
  }
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
  yield* rpcHandler(ctx, recv, hasMutant(ctx.s.options, "rpc-last-kept"));
}

/** The body of nxt_port_rpc_handler; `keepLast` (mutant rpc-last-kept) leaves a LAST reply's registration in place. */
function* rpcHandler(ctx: Ctx, recv: RecvMsg, keepLast: boolean): Sys<void> {
  const p = port(ctx, recv.port);
  const stream = recv.msg.stream;
  const last = recv.msg.last;
  const reg = rpcRegLookup(p, stream, last && !keepLast);
  if (reg === undefined) {
    return;
  }
  const isError = recv.msg.type === RAW.RPC_ERROR;
  ctx.k.trace({ what: "rpc", op: isError ? "error" : "resolve", stream, port: p.oid, last });
  yield* callRpcHandler(isError ? reg.error : reg.ready, ctx, recv, reg.data);
  if (!last || keepLast) {
    return;
  }
  if (reg.peer !== -1) {
    removeFromPeers(p, reg);
  }
  portUse(ctx, p, -1);
}

/** nxt_port_rpc_cancel: drop silently. */
export function portRpcCancel(ctx: Ctx, p: PortRec, stream: number): void {
  const reg = rpcRegLookup(p, stream, true);
  if (reg === undefined) {
    return;
  }
  if (reg.peer !== -1) {
    removeFromPeers(p, reg);
  }
  ctx.k.trace({ what: "rpc", op: "cancel", stream, port: p.oid });
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
    const reg = p.rpcRegs[stream];
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
    // A handler that clears `last` keeps its registration (no model handler does).
    ctx.k.trace({ what: "rpc", op: "error", stream, peer, port: p.oid, last: true });
    yield* callRpcHandler(reg.error, ctx, recv, reg.data);
    if (!recv.msg.last) {
      continue;
    }
    if (rpcRegLookup(p, stream, true) === undefined) {
      ctx.k.trace({ what: "alert", text: `rpc: stream #${stream} failed to delete handler` });
      return;
    }
    portUse(ctx, p, -1);
  }
}

/** nxt_port_rpc_close: every pending registration gets exactly one RPC_ERROR+LAST. */
export function* portRpcClose(ctx: Ctx, p: PortRec): Sys<void> {
  for (;;) {
    // nxt_lvlhsh_peek: the first registration in the hash's order.
    const first = lvlhshPeek(p.rpcStreams);
    if (first === undefined) {
      ctx.k.trace({ what: "rpc-close", port: p.oid });
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
    // Never with the mutant's keepLast: the same registration would be peeked for ever.
    yield* rpcHandler(ctx, recv, false);
  }
}

// The model's repairs of who is told of whom: the order in which a dead process is announced
// (nxt_port.c's nxt_port_remove_notify_others), and a dead process announced as new (its
// READY read after its reap). Off by default like every repair (repairs.ts says why).

import { port, proc, type Ctx } from "./context.ts";
import type { Sys } from "./kernel.ts";
import { hasFix } from "./options.ts";
import { NXT_PORT_MSG_REMOVE_PID } from "./port-messages.ts";
import { portUse } from "./port.ts";
import { portFlushQueued, portSocketWrite } from "./port-socket.ts";
import { runtimePortFind, runtimeProcessEach, stillRegistered } from "./runtime.ts";
import { NXT_PROCESS_MAIN, type Oid, type PortMsg, type PortRec, type ProcessRec } from "./state.ts";

/*
 * router-told-before-main: a process other than main tells main of a death before anyone
 * else, and waits on main's full socket instead of queueing (what EAGAIN queued before goes
 * first). Unit walks its table in hash order and queues on EAGAIN, so a prototype killed
 * after its REMOVE_PID reached the router but before main had its own (queued, or not yet
 * written) leaves the app among main's children of that prototype: main announces it again
 * when it reaps the prototype, and the router hears of one death twice.
 */

function repairs(ctx: Ctx): boolean {
  return hasFix(ctx.s.options, "router-told-before-main") && ctx.s.rt.type !== NXT_PROCESS_MAIN;
}

/** The table walk of nxt_port_remove_notify_others: Unit's order, or main's record first. */
export function notifyOrder(ctx: Ctx): Iterable<Oid> {
  if (!repairs(ctx)) return runtimeProcessEach(ctx);
  const walk = [...runtimeProcessEach(ctx)];
  const isMain = (oid: Oid): boolean => {
    if (!stillRegistered(ctx, oid)) return false;
    const first = proc(ctx, oid).ports[0];
    return first !== undefined && port(ctx, first).type === NXT_PROCESS_MAIN;
  };
  return [...walk.filter(isMain), ...walk.filter((oid) => !isMain(oid))];
}

/** One REMOVE_PID of nxt_port_remove_notify_others: main's waits until it is written. */
export function* writeRemovePid(ctx: Ctx, q: PortRec, dead: ProcessRec): Sys<void> {
  if (!repairs(ctx) || q.type !== NXT_PROCESS_MAIN) {
    return yield* portSocketWrite(ctx, q, NXT_PORT_MSG_REMOVE_PID, -1, -1, dead.stream, 0, dead.pid);
  }
  const kind = NXT_PORT_MSG_REMOVE_PID;
  const msg: PortMsg = { type: kind.code, last: kind.last, stream: dead.stream, pid: ctx.s.pid, replyPort: 0, body: dead.pid };
  q.queued.push({ msg, fds: [], closeFds: false });
  portUse(ctx, q, 1);
  yield* portFlushQueued(ctx, q, true);
}

/**
 * ready-after-reap: nxt_port_process_ready_handler announces nothing for a record whose ports
 * main has already closed and removed (the child was reaped). Messages queued to the child's
 * port keep its record in the table after the reap, so the READY it wrote before it died
 * finds it, and nxt_port_send_new_port tells the others of a dead port: a restarted router
 * then files its dead predecessor's port as port_by_type[ROUTER] and registers its next RPC
 * on a port it cannot read.
 */
export function readyAfterReap(ctx: Ctx, process: ProcessRec): boolean {
  if (!hasFix(ctx.s.options, "ready-after-reap")) return false;
  const first = process.ports[0];
  if (first === undefined) return false;
  const p = port(ctx, first);
  return runtimePortFind(ctx, p.pid, p.id) !== p;
}

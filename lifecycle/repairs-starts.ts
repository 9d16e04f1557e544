// The model's repairs of how processes are started and answered (the races the lifecycle
// properties of issue 14 item 5 find: a start never answered, an RPC left registered, a
// CREATED lost, a server left without its controller and router). Like lifecycle/repairs.ts:
// each is switched on by its fix option (KNOWN_FIXES, off by default) and called from the one
// place of Unit's code it changes; properties/causes.ts says what each removes.

import { alert, port, proc, type Ctx } from "./context.ts";
import type { Json, Pid, Sys } from "./kernel.ts";
import { hasFix } from "./options.ts";
import { msgOnWire, NXT_PORT_MSG_PROCESS_CREATED } from "./port-messages.ts";
import { portClose, portUse } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import { processInitStart } from "./process.ts";
import { runtimeProcessEach } from "./runtime.ts";
import { NXT_PROCESS_CONTROLLER, NXT_PROCESS_DISCOVERY, NXT_PROCESS_MAIN, NXT_PROCESS_ROUTER, type Oid, type PortMsg, type PortRec, type ProcessInit, type RouterApp } from "./state.ts";

/**
 * discovery-dies-before-modules: main starts discovery again when it exits before main
 * handled its MODULES (nxt_discovery_process has .restart = 0, and only the MODULES handler
 * starts the controller and router). Handled shows as a controller or router in main's table:
 * the handler starts both, or main quits.
 */
export function restartsDiscovery(ctx: Ctx, init: ProcessInit): boolean {
  if (!hasFix(ctx.s.options, "discovery-dies-before-modules") || init.type !== NXT_PROCESS_DISCOVERY) return false;
  for (const oid of runtimeProcessEach(ctx)) {
    const type = proc(ctx, oid).init?.type;
    if (type === NXT_PROCESS_CONTROLLER || type === NXT_PROCESS_ROUTER) return false;
  }
  return true;
}

/**
 * created-overtaken-by-ready: an app's PROCESS_CREATED to its prototype (nxt_process_whoami_ok)
 * waits on a full socket, as libunit's READY on the same fd does, instead of being queued: a
 * queued CREATED was overtaken by the READY written straight to the fd and lost when libunit
 * closed it.
 */
export function* writeCreatedToParent(ctx: Ctx, parent: PortRec): Sys<void> {
  if (!hasFix(ctx.s.options, "created-overtaken-by-ready") || parent.queued.length > 0) {
    return yield* portSocketWrite(ctx, parent, NXT_PORT_MSG_PROCESS_CREATED, -1, -1, 0, 0, null);
  }
  const kind = NXT_PORT_MSG_PROCESS_CREATED;
  const msg = msgOnWire<PortMsg>(ctx.s.options, { type: kind.code, last: kind.last, stream: 0, pid: ctx.s.pid, replyPort: 0, body: null });
  let err = yield* ctx.k.sendmsg(parent.pair[1], { data: msg as unknown as Json, fds: [] });
  while (err?.errno === "EAGAIN") err = yield* ctx.k.sendmsg(parent.pair[1], { data: msg as unknown as Json, fds: [] });
}

/**
 * quit-during-whoami: nxt_runtime_exit also closes the ports of the exiting process's own
 * record while it waits for its WHOAMI reply (nxt_port_close, whose nxt_port_rpc_close ends
 * the WHOAMI RPC with its error handler), holding a reference meanwhile as the table would.
 * The record is not in the table until the reply comes (nxt_process_do_start adds it; filing
 * it earlier can fail, its namespace pid taken), so the registration outlived the process.
 */
export function* closeOwnPortsAtExit(ctx: Ctx): Sys<void> {
  if (!hasFix(ctx.s.options, "quit-during-whoami")) return;
  for (const obj of Object.values(ctx.s.heap.objs)) {
    if (obj.kind !== "port") continue;
    const reg = Object.values(obj.rpcRegs).find((r) => r.ready === "processWhoamiOk");
    const own = reg === undefined ? null : proc(ctx, reg.data as Oid);
    if (own === null || own.registered) continue;
    for (const oid of [...own.ports]) {
      const p = port(ctx, oid);
      portUse(ctx, p, 1);
      yield* portClose(ctx, p);
      portUse(ctx, p, -1);
    }
    return;
  }
}

/**
 * start-process-no-peer: the router's START_PROCESS RPC of nxt_router_start_app_process_handler
 * (a process lost, or one more) names the process it asks as its peer, as nxt_router_app_prefork
 * does (nxt_port_rpc_ex_set_peer), so that process's death (REMOVE_PID) ends it with an error;
 * without a peer a prototype that died before answering left the request, and the
 * application's pending start, for ever.
 */
export function startRequestPeer(ctx: Ctx, app: RouterApp, peer: Pid): Pid {
  if (!hasFix(ctx.s.options, "start-process-no-peer") || peer !== -1) return peer;
  const asked = app.protoPort ?? ctx.s.rt.portByType[NXT_PROCESS_MAIN];
  return asked === null || asked === undefined ? peer : port(ctx, asked).pid;
}

/**
 * restart-not-retried: when main cannot restart a process it lost (nxt_process_init_start
 * failed: clone, socketpair), it tries again on a timer until it can or it is exiting; Unit
 * alerts "failed to restart" and runs on without that process for ever.
 */
export function retryRestart(ctx: Ctx, init: ProcessInit): void {
  if (hasFix(ctx.s.options, "restart-not-retried")) ctx.k.setTimer(1, { fn: "mainRestartRetry", arg: init as unknown as Json });
}

/** restart-not-retried: one more attempt to start the process main lost. */
export function* mainRestartRetry(ctx: Ctx, init: Json): Sys<void> {
  if (ctx.s.main?.exiting ?? true) return;
  const again = init as unknown as ProcessInit;
  if ((yield* processInitStart(ctx, again)) === "ERROR") {
    alert(ctx, `failed to restart ${again.name}`);
    retryRestart(ctx, again);
  }
}

/**
 * router-greets-before-old-removed: the controller remembers which router greeted it. A
 * greeting from a router other than the one whose port it holds (a restarted router whose
 * greeting overtook main's REMOVE_PID of the old one) waits for that router's NEW_PORT instead
 * of sending the configuration to the dead router, and the old router's REMOVE_PID no longer
 * takes the new one's readiness away (nxt_controller_router_ready is one flag for both).
 * Returns whether the greeting must wait.
 */
export function greetsBeforeItsPort(ctx: Ctx, greeter: Pid): boolean {
  const c = ctx.s.controller;
  if (!hasFix(ctx.s.options, "router-greets-before-old-removed") || c === null) return false;
  c.greeter = greeter;
  const router = ctx.s.rt.portByType[NXT_PROCESS_ROUTER];
  return router !== null && router !== undefined && port(ctx, router).pid !== greeter;
}

/** router-greets-before-old-removed: the REMOVE_PID of a router that is not the one that greeted. */
export function removesAnOlderRouter(ctx: Ctx, pid: Pid): boolean {
  const greeter = ctx.s.controller?.greeter;
  return hasFix(ctx.s.options, "router-greets-before-old-removed") && greeter !== undefined && greeter !== pid;
}

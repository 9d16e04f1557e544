// An application's dynamic process count in nxt_router.c: `processes` as the router maps it
// (max, spare, idle_timeout), when it starts one more process (nxt_router_app_can_start,
// nxt_router_app_need_start), the spare and idle lists a process enters when it has no
// request (nxt_router_app_port_release) and leaves when it takes one or closes, and the idle
// timer that sends QUIT to processes idle past idle_timeout (nxt_router_adjust_idle_timer).

import { nxtAssert, port, type Ctx } from "./context.ts";
import type { Json, Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import { NXT_PORT_MSG_QUIT } from "./port-messages.ts";
import { portSocketWrite } from "./port-socket.ts";
import { routerKeepsIdleQuitPort } from "./repairs.ts";
import type { Oid, RouterApp } from "./state.ts";

/** NXT_TIMER_DEFAULT_BIAS (src/nxt_timer.h): the idle timer stops processes due within it. */
export const NXT_TIMER_DEFAULT_BIAS = 50;

export interface AppProcessesConf {
  maxProcesses: number;
  spareProcesses: number;
  maxPendingProcesses: number;
  idleTimeout: number;
}

/**
 * nxt_router_conf_create's apcf: no `processes` is 1 process; a number n is max = spare = n;
 * an object gives spare (0), max (1) and idle_timeout (15 s, in ms). max_pending_processes is
 * spare, or 1 when spare is 0.
 */
export function routerAppProcessesConf(value: Json | undefined): AppProcessesConf {
  let max = 1;
  let spare = 1;
  let idleTimeout = 15000;
  if (typeof value === "number") {
    // Departure: Unit keeps n in a uint32_t, so a negative n (c8d9106a's validation lets it
    // through) is 4294967295; the model starts no process for it.
    max = value;
    spare = value;
  } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    max = typeof value["max"] === "number" ? value["max"] : 1;
    spare = typeof value["spare"] === "number" ? value["spare"] : 0;
    idleTimeout = typeof value["idle_timeout"] === "number" ? value["idle_timeout"] * 1000 : 15000;
  }
  return { maxProcesses: max, spareProcesses: spare, maxPendingProcesses: spare !== 0 ? spare : 1, idleTimeout };
}

/**
 * A new nxt_app_t of nxt_router_conf_create: its process counts from `processes`, no process
 * yet. One literal in the fields' order (a spread in the middle made it a runtime call).
 */
export function routerAppNew(id: string, name: string, conf: Record<string, Json>): RouterApp {
  const pc = routerAppProcessesConf(conf["processes"]);
  return {
    id,
    name,
    conf,
    maxProcesses: pc.maxProcesses,
    spareProcesses: pc.spareProcesses,
    maxPendingProcesses: pc.maxPendingProcesses,
    idleTimeout: pc.idleTimeout,
    idleProcesses: 0,
    sparePorts: [],
    idlePorts: [],
    idleStart: {},
    activeRequests: 0,
    portRequests: {},
    ackWaitingReq: [],
    adjustIdleQueued: false,
    idleTimer: null,
    quitPorts: [],
    protoPort: null,
    sharedPair: [-1, -1],
    pending: 0,
    ports: [],
    removed: false,
  };
}

/** nxt_router_app_can_start (app->processes is the number of the app's process ports). */
export function routerAppCanStart(ctx: Ctx, app: RouterApp): boolean {
  const max = hasMutant(ctx.s.options, "router-ignores-max") ? Infinity : app.maxProcesses;
  return app.ports.length + app.pending < max && app.pending < app.maxPendingProcesses;
}

/** nxt_router_app_need_start (port_hash_count: one port per process in the model). */
export function routerAppNeedStart(ctx: Ctx, app: RouterApp): boolean {
  const spare = hasMutant(ctx.s.options, "router-no-spares") ? 0 : app.spareProcesses;
  return app.activeRequests > app.ports.length + app.pending || spare > app.idleProcesses + app.pending;
}

/**
 * nxt_router_app_port_release's idle part: a process port with no request left enters
 * spare_ports while fewer than spare_processes are idle, else idle_ports stamped with the
 * time; the first to go past spare_processes queues the idle timer's adjustment.
 */
export function routerAppPortIdle(ctx: Ctx, app: RouterApp, portOid: Oid): void {
  if (!app.ports.includes(portOid) || (app.portRequests[portOid] ?? 0) !== 0 || routerAppPortIsIdle(app, portOid)) return;
  let adjustIdleTimer = false;
  if (app.idleProcesses === app.spareProcesses && !app.adjustIdleQueued) {
    adjustIdleTimer = true;
    app.adjustIdleQueued = true;
  }
  if (app.idleProcesses < app.spareProcesses) {
    app.sparePorts.push(portOid);
  } else {
    app.idlePorts.push(portOid);
    app.idleStart[portOid] = ctx.k.timersNow();
  }
  app.idleProcesses++;
  if (adjustIdleTimer) ctx.k.post({ fn: "routerAdjustIdleTimer", arg: { app: app.id, queued: true } });
}

export function routerAppPortIsIdle(app: RouterApp, portOid: Oid): boolean {
  return app.sparePorts.includes(portOid) || app.idlePorts.includes(portOid);
}

/**
 * A port leaves the idle lists (it took a request, or it closed): when it was a spare one and
 * enough stay idle, the last idle port moves to spare_ports. False if it was not idle.
 */
export function routerAppPortUnidle(ctx: Ctx, app: RouterApp, portOid: Oid): boolean {
  const spareAt = app.sparePorts.indexOf(portOid);
  const idleAt = app.idlePorts.indexOf(portOid);
  if (spareAt < 0 && idleAt < 0) return false;
  app.idleProcesses--;
  if (spareAt >= 0) {
    app.sparePorts.splice(spareAt, 1);
    if (app.idleProcesses >= app.spareProcesses) {
      const last = app.idlePorts.pop();
      nxtAssert(ctx, last !== undefined, "idle_ports not empty");
      delete app.idleStart[last];
      app.sparePorts.push(last);
    }
  } else {
    app.idlePorts.splice(idleAt, 1);
    delete app.idleStart[portOid];
  }
  return true;
}

/**
 * nxt_router_adjust_idle_timer: QUIT to each process idle past idle_timeout (oldest first)
 * while more than spare_processes are idle, then the timer for the next one, or none.
 */
export function* routerAdjustIdleTimer(ctx: Ctx, arg: { app: string; queued: boolean }): Sys<void> {
  const app = ctx.s.router?.apps[arg.app];
  if (app === undefined || app.removed) return;
  const threshold = ctx.k.timersNow() + NXT_TIMER_DEFAULT_BIAS;
  let timeout = 0;
  if (arg.queued) app.adjustIdleQueued = false;
  while (app.idleProcesses > app.spareProcesses && !hasMutant(ctx.s.options, "router-keeps-idle")) {
    const first = app.idlePorts[0];
    nxtAssert(ctx, first !== undefined, "adjust idle timer: idle_ports not empty");
    timeout = app.idleStart[first]! + app.idleTimeout;
    if (timeout > threshold) break;
    app.idlePorts.shift();
    delete app.idleStart[first];
    app.ports.splice(app.ports.indexOf(first), 1);
    app.idleProcesses--;
    const p = port(ctx, first);
    p.app = null;
    yield* portSocketWrite(ctx, p, NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
    routerKeepsIdleQuitPort(ctx, app, p);
  }
  // nxt_timer_add moves an armed timer; the model sets a new one.
  if (app.idleTimer !== null) ctx.k.clearTimer(app.idleTimer);
  app.idleTimer = timeout > threshold ? ctx.k.setTimer(timeout - threshold, { fn: "routerAppIdleTimeout", arg: app.id }) : null;
}

/** nxt_router_app_idle_timeout */
export function* routerAppIdleTimeout(ctx: Ctx, appId: string): Sys<void> {
  const app = ctx.s.router?.apps[appId];
  if (app === undefined) return;
  app.idleTimer = null;
  yield* routerAdjustIdleTimer(ctx, { app: appId, queued: false });
}

/** nxt_router_free_app's nxt_timer_delete: a removed app's idle timer goes. */
export function routerAppIdleTimerDelete(ctx: Ctx, app: RouterApp): void {
  if (app.idleTimer === null) return;
  ctx.k.clearTimer(app.idleTimer);
  app.idleTimer = null;
}

// Requests as the lifecycle sees them: a request for an application arrives at the router
// (nxt_router_app_port_get, which may start a process), one idle process takes it
// (nxt_router_req_headers_ack_handler, which may start another to keep spare ones idle), and
// its response ends it (nxt_router_app_port_release with NXT_APR_GOT_RESPONSE), leaving the
// process idle. No request data moves: a request only occupies a process for its duration.

import { type Ctx } from "./context.ts";
import type { Sys } from "./kernel.ts";
import { routerStartAppProcess } from "./router.ts";
import { routerAppPortIdle, routerAppPortIsIdle, routerAppPortUnidle } from "./router-app-processes.ts";
import type { Oid, RouterApp } from "./state.ts";

/** A scenario's request load: `count` requests for application `app`, each taking `duration` ms. */
export interface RequestLoad {
  app: string;
  count: number;
  duration: number;
}

/** nxt_router_process_http_request's application part, once per request of the load. */
export function* routerProcessHttpRequest(ctx: Ctx, load: RequestLoad): Sys<void> {
  const router = ctx.s.router;
  // Departure: requests that reach a router without the application, or one shutting down
  // (its listeners closed), are dropped; Unit answers them with an error status.
  const id = router?.current[load.app];
  if (router === null || id === undefined || ctx.s.rt.shutdown) return;
  const app = router.apps[id]!;
  for (let i = 0; i < load.count; i++) {
    // nxt_router_app_port_get: the request counts, may start a process, and waits for one.
    app.activeRequests++;
    app.ackWaitingReq.push(load.duration);
    yield* routerStartAppProcess(ctx, app, -1);
    yield* routerAppTakeRequests(ctx, app.id);
  }
}

/**
 * Idle processes take the waiting requests. Departure: the router hands each to the first
 * idle process in start order at once; in Unit the processes race to read the app's shared
 * queue and the one that wins acknowledges it (REQ_HEADERS_ACK).
 */
export function* routerAppTakeRequests(ctx: Ctx, appId: string): Sys<void> {
  const app = ctx.s.router?.apps[appId];
  if (app === undefined || app.removed) return;
  for (;;) {
    const taker = app.ports.find((oid) => routerAppPortIsIdle(app, oid));
    const duration = app.ackWaitingReq[0];
    if (taker === undefined || duration === undefined) return;
    app.ackWaitingReq.shift();
    yield* routerReqHeadersAck(ctx, app, taker, duration);
  }
}

/** nxt_router_req_headers_ack_handler: the port leaves the idle lists and is busy for `duration` ms. */
function* routerReqHeadersAck(ctx: Ctx, app: RouterApp, portOid: Oid, duration: number): Sys<void> {
  if (routerAppPortUnidle(ctx, app, portOid)) {
    yield* routerStartAppProcess(ctx, app, -1);
  }
  app.portRequests[portOid] = (app.portRequests[portOid] ?? 0) + 1;
  ctx.k.setTimer(duration, { fn: "routerResponseReadyHandler", arg: { app: app.id, port: portOid } });
}

/**
 * The request's last response (nxt_router_response_ready_handler) releases its port with
 * NXT_APR_GOT_RESPONSE. Departure: a request whose process died ends at its time too, where
 * Unit fails it at the death (NXT_APR_REQUEST_FAILED counts it off the same way).
 */
export function* routerResponseReadyHandler(ctx: Ctx, done: { app: string; port: Oid }): Sys<void> {
  const app = ctx.s.router?.apps[done.app];
  if (app === undefined) return;
  app.activeRequests--;
  const left = (app.portRequests[done.port] ?? 1) - 1;
  if (left > 0) app.portRequests[done.port] = left;
  else delete app.portRequests[done.port];
  if (app.removed) return;
  routerAppPortIdle(ctx, app, done.port);
  yield* routerAppTakeRequests(ctx, app.id);
}

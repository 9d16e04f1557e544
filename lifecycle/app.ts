// The application half of nxt_application.c (nxt_app_process, nxt_app_setup,
// nxt_unit_default_init) and what libunit (src/nxt_unit.c) does with the ports at start:
// READY to the prototype on the prototype's write end, then it closes that fd, and from
// then on it reads the app's own port itself (QUIT, NEW_PORT, REMOVE_PID, ...).

import { alert, nxtAssert, port, type Ctx } from "./context.ts";
import { EOF, isErrno, type Fd, type Json, type Sys } from "./kernel.ts";
import { MSG_TYPE_NAMES, msgOffWire, msgOnWire, RAW } from "./port-messages.ts";
import type { NewPortBody } from "./port.ts";
import type { HandlerTable } from "./registry.ts";
import { runtimePortFind } from "./runtime.ts";
import type { NxtInt } from "./process.ts";
import {
  NXT_PROCESS_APP,
  NXT_PROCESS_PROTOTYPE,
  NXT_PROCESS_ROUTER,
  NXT_PROCESS_STATE_CREATED,
  type PortMsg,
  type ProcessInit,
  type ProcessRec,
} from "./state.ts";

export const portHandlerTables: Record<string, HandlerTable> = {
  // nxt_app_process_port_handlers: until libunit takes over the socket.
  appProcessPortHandlers: {
    QUIT: "signalQuitHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
  processWhoamiPortHandlers: {
    QUIT: "signalQuitHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
  // Fix remove-pid-during-whoami (a repair, lifecycle/repairs.ts): the same with a REMOVE_PID slot.
  processWhoamiPortHandlersRepaired: {
    QUIT: "signalQuitHandler",
    REMOVE_PID: "portRemovePidHandler",
    RPC_READY: "portRpcHandler",
    RPC_ERROR: "portRpcHandler",
  },
};

/** nxt_app_process; `start` is the language module's start, which runs libunit. */
export function appProcess(): ProcessInit {
  return {
    type: NXT_PROCESS_APP,
    name: "",
    prefork: null,
    setup: "appSetup",
    start: "appModuleStart",
    restart: false,
    signals: "processSignals",
    portHandlers: "appProcessPortHandlers",
  };
}

/** nxt_app_setup: CREATED, then the module start runs inside setup. */
export function* appSetup(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  process.state = NXT_PROCESS_STATE_CREATED;
  ctx.k.trace({ what: "state", of: ctx.s.pid, from: "CREATING", to: "CREATED", table: "own" });
  ctx.k.trace({ what: "handshake", step: "start" });
  return yield* appModuleStart(ctx, process);
}

/** A language module's start: nxt_unit_default_init + nxt_unit_init, then the request loop. */
export function* appModuleStart(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  const rt = ctx.s.rt;
  const protoOid = rt.portByType[NXT_PROCESS_PROTOTYPE];
  const routerOid = rt.portByType[NXT_PROCESS_ROUTER];
  const my = runtimePortFind(ctx, ctx.s.pid, 0);
  if (protoOid === null || protoOid === undefined || routerOid === null || routerOid === undefined || my === null) {
    return "ERROR";
  }
  const ready = port(ctx, protoOid);
  const router = port(ctx, routerOid);
  const readyStream = process.stream;
  // libunit's own port table: the router and the ready (prototype) port, by write fd.
  ctx.s.unit = {
    ports: { [`${router.pid}:${router.id}`]: router.pair[1] },
    readFd: my.pair[0],
  };
  // nxt_unit_ready: a direct write, header pid = our (global) pid. Departure: no shared
  // memory queue fd is passed, the model has no memfd.
  const msg = msgOnWire<PortMsg>(ctx.s.options, { type: RAW.PROCESS_READY, last: true, stream: readyStream, pid: ctx.s.pid, replyPort: 0, body: null });
  // nxt_unit_init made the fd blocking first (nxt_unit_fd_blocking): a full socket makes the
  // write wait, never fail with EAGAIN. Departure: the model's sockets are non-blocking, so
  // the write is retried (each try a scheduling point) until the socket takes it.
  let err = yield* ctx.k.sendmsg(ready.pair[1], { data: msg as unknown as Json, fds: [] });
  while (err?.errno === "EAGAIN") err = yield* ctx.k.sendmsg(ready.pair[1], { data: msg as unknown as Json, fds: [] });
  if (err !== undefined) {
    alert(ctx, "failed to send READY message");
    return "ERROR";
  }
  ctx.k.trace({ what: "handshake", step: "ready-sent", detail: { stream: readyStream } });
  // nxt_unit_close(ready_port.out_fd): libunit closes the fd under the runtime's port record.
  yield* ctx.k.close(ready.pair[1]);
  // The module's loop reads the app's own port from now on.
  nxtAssert(ctx, my.pair[0] !== -1, "libunit: read port is open");
  ctx.k.unwatchRead(my.pair[0]);
  delete rt.readPorts[my.pair[0]];
  ctx.k.watchRead(my.pair[0], "unitPortReadHandler");
  return "NEVER";
}

/** libunit's nxt_unit_process_msg for the lifecycle messages. */
export function* unitPortReadHandler(ctx: Ctx, fd: Fd): Sys<void> {
  const r = yield* ctx.k.recvmsg(fd);
  if (isErrno(r)) {
    return;
  }
  if (r === EOF) {
    // Every peer closed our port: nothing can reach this app any more.
    ctx.k.unwatchRead(fd);
    return yield* ctx.k.exit(0);
  }
  const msg = msgOffWire(ctx.s.options, r.data as unknown as PortMsg);
  const unit = ctx.s.unit;
  nxtAssert(ctx, unit !== null, "libunit initialised");
  switch (msg.type) {
    case RAW.RPC_READY:
      return;
    case RAW.QUIT:
      // nxt_unit_quit; the module then leaves its loop and the process exits.
      return yield* ctx.k.exit(0);
      return;
    case RAW.NEW_PORT: {
      const body = msg.body as unknown as NewPortBody;
      const key = `${body.pid}:${body.id}`;
      const old = unit.ports[key];
      if (old !== undefined) yield* ctx.k.close(old);
      unit.ports[key] = r.fds[0] ?? -1;
      if (r.fds[1] !== undefined) yield* ctx.k.close(r.fds[1]);
      return;
    }
    case RAW.PORT_ACK:
      return;
    case RAW.REMOVE_PID: {
      if (typeof msg.body !== "number") {
        alert(ctx, `#${msg.stream}: remove_pid: invalid message size`);
        return;
      }
      for (const key of Object.keys(unit.ports)) {
        if (key.startsWith(`${msg.body}:`)) {
          const out = unit.ports[key]!;
          if (out !== -1) yield* ctx.k.close(out);
          delete unit.ports[key];
        }
      }
      return;
    }
    default:
      for (const f of r.fds) yield* ctx.k.close(f);
      alert(ctx, `#${msg.stream}: ignore message type: ${MSG_TYPE_NAMES[msg.type] ?? msg.type}`);
  }
}

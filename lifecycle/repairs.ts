// The model's repairs: minimal changes of Unit c8d9106a's code for the races Unit has no
// upstream fix for. Each is switched on by its fix option (lifecycle/options.ts KNOWN_FIXES,
// off by default, so the model stays Unit's) and called from the one place of Unit's code it
// changes; properties/causes.ts says which race each removes and how.

import { isLive, port, proc, type Ctx } from "./context.ts";
import type { Json, Pid, Sys } from "./kernel.ts";
import { hasFix } from "./options.ts";
import { msgOnWire, NXT_PORT_MSG_QUIT, NXT_PORT_MSG_REMOVE_PID, NXT_PORT_MSG_RPC_ERROR } from "./port-messages.ts";
import { portRemoveNotifyOthers, portUse, type RecvMsg } from "./port.ts";
import { portReadMessage, portSocketWrite } from "./port-socket.ts";
import { processClosePorts } from "./process.ts";
import { runtimeExit, runtimeProcessFind } from "./runtime.ts";
import { NXT_PROCESS_MAIN, NXT_PROCESS_PROTOTYPE, NXT_PROCESS_ROUTER, NXT_PROCESS_STATE_CREATING, type PortMsg, type PortRec, type ProcessRec, type ProcessType, type RouterApp } from "./state.ts";

/**
 * reap-before-messages: before main acts for a reaped child on its children's behalf (QUIT,
 * REMOVE_PID to the others), it reads what is already on its port, so the REMOVE_PIDs (and
 * NEW_PORTs) the child sent before it died are handled first. Returns the record, or null
 * when what was read released it. Only reads when there are children: elsewhere the repair
 * changes nothing, and makes no kernel call that would move the run's schedule.
 */
export function* readBeforeReap(ctx: Ctx, process: ProcessRec): Sys<ProcessRec | null> {
  const exiting = ctx.s.main?.exiting ?? false;
  if (!hasFix(ctx.s.options, "reap-before-messages") || exiting || process.children.length === 0) return process;
  const pid = process.pid;
  yield* readOwnPort(ctx, NXT_PROCESS_MAIN);
  return runtimeProcessFind(ctx, pid);
}

/** Reads and handles the messages on the process's own port until there are none. */
function* readOwnPort(ctx: Ctx, type: ProcessType): Sys<void> {
  const own = ctx.s.rt.portByType[type];
  const fd = own === null || own === undefined ? -1 : port(ctx, own).pair[0];
  while (fd !== -1 && (yield* portReadMessage(ctx, fd))) {
    // one message handled; read on until the socket is empty
  }
}

/**
 * modules-after-discovery-reaped: a MODULES that main reads after it reaped discovery (its
 * port, hence port_by_type[DISCOVERY], gone) is taken as discovery's instead of dereferencing
 * NULL: it can only be discovery's, sent before it died.
 */
export function acceptsModulesOfReapedDiscovery(ctx: Ctx): boolean {
  return hasFix(ctx.s.options, "modules-after-discovery-reaped");
}

/** remove-pid-during-whoami: the WHOAMI-wait handler table has a REMOVE_PID slot. */
export function whoamiPortHandlers(ctx: Ctx): string {
  return hasFix(ctx.s.options, "remove-pid-during-whoami") ? "processWhoamiPortHandlersRepaired" : "processWhoamiPortHandlers";
}

/**
 * whoami-parent-gone: main answers a WHOAMI it cannot serve (its parent already reaped) with
 * QUIT on the write end the child sent, so the child quits instead of waiting for ever; the
 * end is closed once the QUIT is written (a full socket is retried on a timer, as ports are).
 * (Not RPC_ERROR: nxt_process_whoami_error would quit through the RPC's release of the port
 * it still reads, which Unit asserts against.)
 */
export function* refuseWhoami(ctx: Ctx, recv: RecvMsg): Sys<void> {
  if (!hasFix(ctx.s.options, "whoami-parent-gone") || recv.fd[0] === -1) return;
  const fd = recv.fd[0];
  recv.fd[0] = -1;
  yield* whoamiQuitRetry(ctx, fd);
}

/** whoami-parent-gone: one attempt to write the QUIT; the fd is closed once it is written or cannot be. */
export function* whoamiQuitRetry(ctx: Ctx, fd: number): Sys<void> {
  const kind = NXT_PORT_MSG_QUIT;
  const msg = msgOnWire<PortMsg>(ctx.s.options, { type: kind.code, last: kind.last, stream: 0, pid: ctx.s.pid, replyPort: 0, body: null });
  const err = yield* ctx.k.sendmsg(fd, { data: msg as unknown as Json, fds: [] });
  if (err !== undefined && err.errno === "EAGAIN") {
    ctx.k.setTimer(1, { fn: "whoamiQuitRetry", arg: fd });
    return;
  }
  yield* ctx.k.close(fd);
}

/**
 * shutdown-without-children: main's first nxt_runtime_quit exits at once when its table holds
 * no process but main, since no SIGCHLD will come to finish the shutdown.
 */
export function quitsAtOnce(ctx: Ctx): boolean {
  return hasFix(ctx.s.options, "shutdown-without-children") && ctx.s.rt.type === NXT_PROCESS_MAIN && ctx.s.rt.nprocesses <= 1;
}

/**
 * second-quit-exits-main: a quit that comes once main's shutdown has begun (a second SIGTERM,
 * SIGQUIT or SIGINT, or one after main quit on a failure) waits for main's children, as the
 * first does; nxt_runtime_quit finds engine->shutdown set and exits main at once. The call of
 * main's SIGCHLD handler, with no child left (nprocesses <= 1), still exits.
 */
export function repeatedQuitWaits(ctx: Ctx): boolean {
  return hasFix(ctx.s.options, "second-quit-exits-main") && ctx.s.rt.type === NXT_PROCESS_MAIN && ctx.s.rt.nprocesses > 1;
}

/** main-start-while-exiting: main answers START_PROCESS with RPC_ERROR once it is exiting. */
export function refusesStart(ctx: Ctx): boolean {
  return hasFix(ctx.s.options, "main-start-while-exiting") && ctx.s.main !== null && ctx.s.main.exiting;
}

/**
 * child-inherits-port-queue: a new child drops the messages its parent had queued on any port
 * (the parent sends them; the child's copy would only hold their references for ever).
 */
export function* dropInheritedQueues(ctx: Ctx): Sys<void> {
  if (!hasFix(ctx.s.options, "child-inherits-port-queue")) return yield* markInheritedQueues(ctx);
  for (const obj of Object.values(ctx.s.heap.objs)) {
    if (obj.kind !== "port" || obj.queued.length === 0) continue;
    const dropped = obj.queued.length;
    obj.queued = [];
    // A port the parent closed but kept open to send its queue (queued-messages-dropped) is closed here.
    yield* closeSentPort(ctx, obj);
    for (let i = 0; i < dropped && isLive(ctx, obj.oid); i++) portUse(ctx, obj, -1);
  }
}

/**
 * queued-messages-dropped, in a new child that keeps its parent's queues: they are the
 * parent's to send (the child has no write pending on them), so neither a close nor the exit
 * waits for them, and a write end the parent kept open only to send one is closed here.
 */
function* markInheritedQueues(ctx: Ctx): Sys<void> {
  if (!hasFix(ctx.s.options, "queued-messages-dropped")) return;
  for (const obj of Object.values(ctx.s.heap.objs)) {
    if (obj.kind !== "port" || obj.queued.length === 0) continue;
    yield* closeSentPort(ctx, obj);
    obj.inheritedQueue = true;
  }
}

/** queued-messages-dropped: a queue this process is sending (it wrote it, a retry is pending). */
function sendingQueue(p: PortRec): boolean {
  return p.queued.length > 0 && p.writeEnabled && p.pair[1] !== -1 && p.inheritedQueue !== true;
}

/** queued-messages-dropped: the work that ends the process (nxt_runtime_exit, or the repaired wait). */
export function exitWork(ctx: Ctx): string {
  return hasFix(ctx.s.options, "queued-messages-dropped") ? "runtimeExitAfterFlush" : "runtimeExit";
}

/**
 * queued-messages-dropped, at exit: the process exits only once every port it writes has
 * sent what EAGAIN left queued (each retries on its own timer); nxt_runtime_exit closed them
 * unsent.
 */
export function* runtimeExitAfterFlush(ctx: Ctx, _arg: null): Sys<void> {
  const pending = Object.values(ctx.s.heap.objs).some((o) => o.kind === "port" && sendingQueue(o));
  if (pending) {
    ctx.k.setTimer(1, { fn: "runtimeExitAfterFlush", arg: null });
    return;
  }
  yield* runtimeExit(ctx);
}

/**
 * queued-messages-dropped, at nxt_port_close: a port closed with messages still queued keeps
 * its write end until they are sent (nxt_port_close closed it, and the queue was lost).
 */
export function keepsWriteEndToSend(ctx: Ctx, p: PortRec): boolean {
  if (!hasFix(ctx.s.options, "queued-messages-dropped") || !sendingQueue(p)) return false;
  p.closeWhenSent = true;
  return true;
}

/** queued-messages-dropped: the write end a closed port kept is closed once its queue is sent. */
export function* closeSentPort(ctx: Ctx, p: PortRec): Sys<void> {
  if (p.closeWhenSent !== true || p.pair[1] === -1) return;
  delete p.closeWhenSent;
  yield* ctx.k.close(p.pair[1]);
  p.pair[1] = -1;
}

/**
 * app-dies-creating, first half: when a prototype that has an app still CREATING gets
 * SIGCHLD, it reads what is already on its port before it reaps: a dead app's
 * PROCESS_CREATED, sent before it died, then makes its record CREATED (found by the sender's
 * pid, which the kernel can still give while the app is unreaped), so its death is announced.
 */
export function* readBeforeCreatingReap(ctx: Ctx): Sys<void> {
  if (!hasFix(ctx.s.options, "app-dies-creating") || ctx.s.proto === null) return;
  if (!ctx.s.proto.children.some((oid) => proc(ctx, oid).state === NXT_PROCESS_STATE_CREATING)) return;
  yield* readOwnPort(ctx, NXT_PROCESS_PROTOTYPE);
}

/**
 * app-dies-creating, second half: an app that died before it sent PROCESS_CREATED is
 * announced too. Without a pid namespace the record's pid is its host pid: REMOVE_PID as for
 * any app. In one, the prototype knows only the app's namespace pid, which names another
 * process outside: it tells main alone, with the namespace pid negated so that it can never be
 * read as a host pid, and main finds the app among that prototype's children by the namespace
 * pid its WHOAMI showed (a protocol addition: Unit's REMOVE_PID carries host pids only); and it
 * answers the router's start request with RPC_ERROR on its stream, which the REMOVE_PID carries
 * outside a namespace (nxt_router_remove_pid_handler turns it into RPC_ERROR).
 */
export function* announceCreatingDeath(ctx: Ctx, process: ProcessRec): Sys<void> {
  if (!hasFix(ctx.s.options, "app-dies-creating")) return;
  if (!ctx.s.rt.isPidIsolated) return yield* portRemoveNotifyOthers(ctx, process);
  const main = ctx.s.rt.portByType[NXT_PROCESS_MAIN];
  if (main === null || main === undefined) return;
  yield* portSocketWrite(ctx, port(ctx, main), NXT_PORT_MSG_REMOVE_PID, -1, -1, process.stream, 0, -process.isolatedPid);
  const router = ctx.s.rt.portByType[NXT_PROCESS_ROUTER];
  if (process.stream === 0 || router === null || router === undefined) return;
  yield* portSocketWrite(ctx, port(ctx, router), NXT_PORT_MSG_RPC_ERROR, -1, -1, process.stream, 0, null);
}

/** app-dies-creating, in main's WHOAMI handler: the app's pid as it sent it (its namespace pid). */
export function noteIsolatedPid(ctx: Ctx, child: ProcessRec, headerPid: Pid): void {
  if (hasFix(ctx.s.options, "app-dies-creating")) child.isolatedPid = headerPid;
}

/**
 * app-dies-creating, in main's REMOVE_PID handler: the host pid of the sender's child that a
 * pid-isolated prototype named by its negated namespace pid; null for any other REMOVE_PID.
 */
export function hostPidOfNamedChild(ctx: Ctx, recv: RecvMsg): Pid | null {
  const body = recv.msg.body;
  if (!hasFix(ctx.s.options, "app-dies-creating") || ctx.s.rt.type !== NXT_PROCESS_MAIN || typeof body !== "number" || body >= 0) return null;
  const sender = runtimeProcessFind(ctx, recv.msg.pid);
  const child = sender?.children.map((oid) => proc(ctx, oid)).find((c) => c.isolatedPid === -body);
  return child?.pid ?? null;
}

/**
 * proto-dies-mid-notify: when the router loses an application's prototype it closes that
 * application's process ports too: they are dead, or main is QUITting them.
 */
export function* routerDropsAppsOfPrototype(ctx: Ctx, app: RouterApp): Sys<void> {
  // Not while the router exits: nxt_runtime_exit is walking the table it would change.
  if (!hasFix(ctx.s.options, "proto-dies-mid-notify") || ctx.s.rt.shutdown) return;
  const quit = app.quitPorts;
  app.quitPorts = [];
  for (const oid of [...app.ports, ...quit]) {
    if (!isLive(ctx, oid)) continue;
    const owner = port(ctx, oid).process;
    if (owner !== null && isLive(ctx, owner)) yield* processClosePorts(ctx, proc(ctx, owner));
  }
}

/**
 * proto-dies-mid-notify, for a process the router QUIT for idleness (nxt_router_adjust_idle_timer
 * takes its port off the app's lists): the router remembers the port, so that losing the app's
 * prototype closes it too, since its REMOVE_PID may never come, for the same reason as below.
 */
export function routerKeepsIdleQuitPort(ctx: Ctx, app: RouterApp, p: PortRec): void {
  if (hasFix(ctx.s.options, "proto-dies-mid-notify") && !ctx.s.rt.shutdown) app.quitPorts.push(p.oid);
}

/**
 * proto-dies-mid-notify, for a released application: the router QUITs a process that comes
 * up for an app it has already released (nxt_router_app_port_ready's "new port ready for
 * released app") and, with the repair, keeps that port with the app, so that losing the app's
 * prototype closes it as it closes the app's other ports. Its REMOVE_PID may never come: the
 * prototype can die between telling main and telling the router, and main, which has then
 * forgotten the process, does not name it when the prototype dies. A prototype already lost
 * closes the port at once.
 */
export function* routerKeepsReleasedAppPort(ctx: Ctx, app: RouterApp, p: PortRec): Sys<void> {
  if (!hasFix(ctx.s.options, "proto-dies-mid-notify") || ctx.s.rt.shutdown) return;
  if (app.protoPort === null || !isLive(ctx, app.protoPort)) {
    if (p.process !== null && isLive(ctx, p.process)) yield* processClosePorts(ctx, proc(ctx, p.process));
    return;
  }
  p.app = app.id;
  app.ports.push(p.oid);
}

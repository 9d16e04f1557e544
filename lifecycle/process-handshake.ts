// nxt_process.c, the new child's side of its start handshake: WHOAMI (a pid-isolated
// child's host pid from main), PROCESS_CREATED to its parent, its credentials, READY.

import { credentialGet, credentialSetgids, credentialSetuid } from "./credential.ts";
import { alert, log, nxtAssert, port, proc, type Ctx } from "./context.ts";
import { freezePlain } from "./copy.ts";
import { CLONE_NEWUSER, type Json, type Pid, type Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import { NXT_PORT_MSG_PROCESS_CREATED, NXT_PORT_MSG_PROCESS_READY, NXT_PORT_MSG_WHOAMI } from "./port-messages.ts";
import { portRpcRegisterHandler } from "./port-rpc.ts";
import { portEnable, stateName, type RecvMsg } from "./port.ts";
import { portSocketWrite, portWriteClose } from "./port-socket.ts";
import { callProcessHook } from "./registry.ts";
import { portByType } from "./runtime.ts";
import { NXT_PROCESS_MAIN, NXT_PROCESS_PROTOTYPE, NXT_PROCESS_STATE_CREATED, NXT_PROCESS_STATE_READY, type Oid, type ProcessRec } from "./state.ts";
import { whoamiPortHandlers } from "./repairs.ts";
import { writeCreatedToParent } from "./repairs-starts.ts";
import { processDoStart, processInitOf, processQuit, processType, type NxtInt } from "./process.ts";

/** nxt_process_whoami */
export function* processWhoami(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  const rt = ctx.s.rt;
  const myOid = process.ports[0];
  const mainOid = rt.portByType[NXT_PROCESS_MAIN];
  nxtAssert(ctx, myOid !== undefined && mainOid !== null && mainOid !== undefined, "whoami: my_port and main_port exist");
  const my = port(ctx, myOid);
  const main = port(ctx, mainOid);
  portEnable(ctx, my, whoamiPortHandlers(ctx));
  const stream = yield* portRpcRegisterHandler(ctx, my, "processWhoamiOk", "processWhoamiError", main.pid, process.oid);
  if (stream === 0) {
    return "ERROR";
  }
  const fd = process.parentPort !== mainOid ? my.pair[1] : -1;
  yield* portSocketWrite(ctx, main, NXT_PORT_MSG_WHOAMI, fd, -1, stream, my.id, ctx.s.ppid);
  ctx.k.trace({ what: "handshake", step: "whoami-sent", detail: { stream, withFd: fd !== -1 } });
  return "OK";
}

/** nxt_process_whoami_ok */
export function* processWhoamiOk(ctx: Ctx, recv: RecvMsg, data: Json): Sys<void> {
  const process = proc(ctx, data as Oid);
  nxtAssert(ctx, typeof recv.msg.body === "number", "whoami_ok: reply body is exactly one pid");
  const pid = recv.msg.body as Pid;
  const isolatedPid = ctx.s.pid;
  if (isolatedPid !== pid) {
    ctx.s.pid = pid;
    process.pid = pid;
    for (const portOid of process.ports) {
      port(ctx, portOid).pid = pid;
    }
  }
  ctx.k.trace({ what: "handshake", step: "whoami-ok", detail: { pid } });
  const rt = ctx.s.rt;
  if (process.parentPort !== rt.portByType[NXT_PROCESS_MAIN]) {
    yield* writeCreatedToParent(ctx, port(ctx, process.parentPort!));
    log(ctx, `${process.name} started`);
  }
  const ret = yield* processDoStart(ctx, process);
  if (ret !== "OK" && ret !== "NEVER") {
    yield* processQuit(ctx, 1);
  }
}

/** nxt_process_whoami_error */
export function* processWhoamiError(ctx: Ctx, _recv: RecvMsg, _data: Json): Sys<void> {
  alert(ctx, "WHOAMI error");
  yield* processQuit(ctx, 1);
}

/** nxt_process_send_created */
export function* processSendCreated(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  nxtAssert(ctx, process.state === NXT_PROCESS_STATE_CREATED, "send_created: state == CREATED");
  const rt = ctx.s.rt;
  const myOid = process.ports[0];
  const mainOid = rt.portByType[NXT_PROCESS_MAIN];
  nxtAssert(ctx, myOid !== undefined && mainOid !== null && mainOid !== undefined, "send_created: my_port and main_port exist");
  const my = port(ctx, myOid);
  const main = port(ctx, mainOid);
  if (hasMutant(ctx.s.options, "creds-before-created") && processApplyCreds(ctx, process) !== "OK") {
    return "ERROR";
  }
  const stream = yield* portRpcRegisterHandler(ctx, my, "processCreatedOk", "processCreatedError", main.pid, process.oid);
  if (stream === 0) {
    return "ERROR";
  }
  yield* portSocketWrite(ctx, main, NXT_PORT_MSG_PROCESS_CREATED, -1, -1, stream, my.id, null);
  ctx.k.trace({ what: "handshake", step: "created-sent", detail: { stream } });
  return "OK";
}

/** nxt_process_created_ok */
export function* processCreatedOk(ctx: Ctx, _recv: RecvMsg, data: Json): Sys<void> {
  const process = proc(ctx, data as Oid);
  const from = process.state;
  process.state = NXT_PROCESS_STATE_READY;
  ctx.k.trace({ what: "state", of: ctx.s.pid, from: stateName(from), to: "READY", table: "own" });
  ctx.k.trace({ what: "handshake", step: "created-ok" });
  const init = processInitOf(process);
  if (processApplyCreds(ctx, process) !== "OK") {
    yield* processQuit(ctx, 1);
    return;
  }
  log(ctx, `${process.name} started`);
  if ((yield* processSendReady(ctx, process)) !== "OK") {
    yield* processQuit(ctx, 1);
    return;
  }
  ctx.k.trace({ what: "handshake", step: "start" });
  const ret = yield* callProcessHook(init.start, ctx, process);
  if (processType(ctx, process) !== NXT_PROCESS_PROTOTYPE) {
    yield* portWriteClose(ctx, port(ctx, process.ports[0]!));
  }
  if (ret !== "OK") {
    yield* processQuit(ctx, 1);
  }
}

/** nxt_process_created_error */
export function* processCreatedError(ctx: Ctx, _recv: RecvMsg, data: Json): Sys<void> {
  const process = proc(ctx, data as Oid);
  alert(ctx, `${processInitOf(process).name} failed to start`);
  yield* processQuit(ctx, 1);
}

/** nxt_process_core_setup */
export function processCoreSetup(ctx: Ctx, process: ProcessRec): NxtInt {
  if (processApplyCreds(ctx, process) !== "OK") {
    return "ERROR";
  }
  const from = process.state;
  process.state = NXT_PROCESS_STATE_READY;
  ctx.k.trace({ what: "state", of: ctx.s.pid, from: stateName(from), to: "READY", table: "own" });
  return "OK";
}

/** nxt_process_creds_set: resolve the user (and optional group) into process.userCred. */
export function processCredsSet(ctx: Ctx, process: ProcessRec, user: string, group: string | null): NxtInt {
  const cred = credentialGet(ctx.s.options.users, user, group);
  if (!cred.ok) {
    for (const text of cred.alerts) alert(ctx, text);
    return "ERROR";
  }
  process.userCred = freezePlain(cred.value);
  return "OK";
}

/** nxt_process_apply_creds */
export function processApplyCreds(ctx: Ctx, process: ProcessRec): NxtInt {
  const rt = ctx.s.rt;
  let capSetid = rt.capabilities.setid;
  if (!capSetid && (process.isolation.clone.flags & CLONE_NEWUSER) !== 0) {
    capSetid = true;
  }
  if (capSetid) {
    nxtAssert(ctx, process.userCred !== null, "apply_creds: user_cred is set");
    const gids = credentialSetgids(ctx.k, process.userCred, rt.capabilities.setid);
    if (!gids.ok) return alertAll(ctx, gids.alerts);
    const uid = credentialSetuid(ctx.k, process.userCred);
    if (!uid.ok) return alertAll(ctx, uid.alerts);
    ctx.k.trace({ what: "handshake", step: "creds-applied", detail: { uid: process.userCred.uid, gid: process.userCred.baseGid } });
  }
  if (ctx.s.options.havePrSetNoNewPrivs && !process.isolation.newPrivs) {
    const err = ctx.k.prctlNoNewPrivs();
    if (err !== undefined) {
      alert(ctx, `failed to set no_new_privs ${err.errno}`);
      return "ERROR";
    }
    ctx.k.trace({ what: "handshake", step: "no-new-privs" });
  }
  return "OK";
}

function alertAll(ctx: Ctx, alerts: readonly string[]): NxtInt {
  for (const text of alerts) alert(ctx, text);
  return "ERROR";
}

/** nxt_process_send_ready */
export function* processSendReady(ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  nxtAssert(ctx, process.parentPort !== null, "send_ready: parent port exists");
  yield* portSocketWrite(ctx, port(ctx, process.parentPort), NXT_PORT_MSG_PROCESS_READY, -1, -1, process.stream, 0, null);
  ctx.k.trace({ what: "handshake", step: "ready-sent", detail: { stream: process.stream } });
  return "OK";
}

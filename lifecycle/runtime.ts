// nxt_runtime.c: the per-process tables (process hash keyed by pid, port hash keyed by
// (pid, id), port_by_type), their reference counting, and quitting.
//
// Hash lookups compare the stored object's CURRENT key fields with the query, as Unit's
// lvlhsh test functions do: an entry whose record changed pid after insertion stays in
// the table but can no longer be found (the stale port entry of section 4.7 step 6).

import { alert, heapFree, isLive, nxtAssert, port, proc, type Ctx } from "./context.ts";
import { hasMutant } from "./options.ts";
import { portNew, portUse } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import { NXT_PORT_MSG_QUIT } from "./port-messages.ts";
import { processClosePorts, processInitOf, processNew, processPortAdd, processUse } from "./process.ts";
import type { Pid, Sys } from "./kernel.ts";
import { lvlhshFind, lvlhshInsert, type Lvlhsh } from "./lvlhsh.ts";
import { lvlhshDelete } from "./lvlhsh-delete.ts";
import { lvlhshEachInit, lvlhshEachNext } from "./lvlhsh-each.ts";
import { processKeyHash } from "./murmur-hash.ts";
import { traceTableSnapshot } from "./table-report.ts";
import { exitWork, quitsAtOnce, repeatedQuitWaits } from "./repairs.ts";
import { closeOwnPortsAtExit } from "./repairs-starts.ts";
import {
  NXT_PROCESS_APP,
  NXT_PROCESS_MAIN,
  NXT_PROCESS_PROTOTYPE,
  type Oid,
  type PortRec,
  type ProcessRec,
  type ProcessType,
} from "./state.ts";

/**
 * The rt.ports key of (pid, id): the same string object each time, so that V8 finds it among
 * its internalized strings once instead of building and looking up a new string at every
 * table access (about 2% of a run). Bounded: cleared when it reaches PORT_KEYS_MAX.
 */
const portKeys = new Map<number, string>();
const PORT_KEYS_MAX = 1 << 16;

function portKey(pid: Pid, id: number): string {
  if (!(id >= 0 && id < 0x10000)) return `${pid}:${id}`;
  const n = pid * 0x10000 + id;
  let key = portKeys.get(n);
  if (key === undefined) {
    if (portKeys.size >= PORT_KEYS_MAX) portKeys.clear();
    key = `${pid}:${id}`;
    portKeys.set(n, key);
  }
  return key;
}

// ---- the process hash -------------------------------------------------------------------

/**
 * nxt_runtime_process_each: Unit's live walk of rt->processes in its level hash's order. The
 * next entry is fetched before the body runs on the current one, so a body may remove the
 * current entry (as fixup and nxt_runtime_exit do); an entry removed before the walk
 * reaches it is not visited.
 */
export function runtimeProcessEach(ctx: Ctx): Iterable<Oid> {
  return new ProcessTableWalk(ctx.s.rt.processes);
}

/** One walk of runtimeProcessEach (a class, not closures: closures cost a name each under tsx). */
class ProcessTableWalk implements Iterable<Oid>, Iterator<Oid> {
  private it = lvlhshEachInit();
  private pending: Oid | undefined;

  constructor(private readonly table: Lvlhsh) {}

  /** Starts the walk (each for-of over runtimeProcessEach's result is one walk from the start). */
  [Symbol.iterator](): Iterator<Oid> {
    this.it = lvlhshEachInit();
    this.pending = lvlhshEachNext(this.table, this.it);
    return this;
  }

  next(): IteratorResult<Oid> {
    const value = this.pending;
    if (value === undefined) return { done: true, value: undefined };
    this.pending = lvlhshEachNext(this.table, this.it);
    return { done: false, value };
  }
}

/** Entries still present in the table when an iteration reaches them. */
export function stillRegistered(ctx: Ctx, oid: Oid): boolean {
  return isLive(ctx, oid) && proc(ctx, oid).registered;
}

/** nxt_runtime_lvlhsh_pid_test reads the record's CURRENT pid (a re-keyed record goes stale). */
function pidMatches(ctx: Ctx, pid: Pid): (oid: Oid) => boolean {
  return (oid) => proc(ctx, oid).pid === pid;
}

function processHashFind(ctx: Ctx, pid: Pid): Oid | null {
  return lvlhshFind(ctx.s.rt.processes, processKeyHash(pid), pid, pidMatches(ctx, pid)) ?? null;
}

/** nxt_lvlhsh_insert with replace = 0: false (NXT_DECLINED) when the key is taken. */
function processHashInsert(ctx: Ctx, pid: Pid, oid: Oid): boolean {
  return lvlhshInsert(ctx.s.rt.processes, processKeyHash(pid), pid, oid, pidMatches(ctx, pid)) === undefined;
}

function processHashDelete(ctx: Ctx, pid: Pid): Oid | null {
  return lvlhshDelete(ctx.s.rt.processes, processKeyHash(pid), pid, pidMatches(ctx, pid)) ?? null;
}

export function runtimeProcessFind(ctx: Ctx, pid: Pid): ProcessRec | null {
  const oid = processHashFind(ctx, pid);
  return oid === null ? null : proc(ctx, oid);
}

/** nxt_runtime_process_add: a duplicate key fails SILENTLY (debug log only), as at c8d9106a. */
export function runtimeProcessAdd(ctx: Ctx, process: ProcessRec): void {
  nxtAssert(ctx, !process.registered, "nxt_runtime_process_add: process->registered == 0");
  if (!processHashInsert(ctx, process.pid, process.oid)) {
    ctx.k.trace({ what: "table", op: "add-failed", pid: process.pid, oid: process.oid });
    return;
  }
  const rt = ctx.s.rt;
  if (rt.nprocesses === 0) {
    rt.mprocess = process.oid;
  }
  rt.nprocesses++;
  for (const portOid of [...process.ports]) {
    const p = port(ctx, portOid);
    p.pid = process.pid;
    runtimePortAdd(ctx, p);
  }
  process.registered = true;
  ctx.k.trace({ what: "table", op: "add", pid: process.pid, oid: process.oid });
}

/** nxt_runtime_process_get: find and take a reference, or create a registered zeroed record. */
export function runtimeProcessGet(ctx: Ctx, pid: Pid): ProcessRec {
  const found = runtimeProcessFind(ctx, pid);
  if (found !== null) {
    found.useCount++;
    return found;
  }
  const process = processNew(ctx);
  process.pid = pid;
  if (processHashInsert(ctx, pid, process.oid)) {
    const rt = ctx.s.rt;
    if (rt.nprocesses === 0) {
      rt.mprocess = process.oid;
    }
    rt.nprocesses++;
    process.registered = true;
    ctx.k.trace({ what: "table", op: "add", pid, oid: process.oid });
  }
  return process;
}

/** nxt_runtime_process_remove: deletes WHATEVER entry has key process.pid (no identity check). */
export function runtimeProcessRemove(ctx: Ctx, process: ProcessRec): void {
  const pid = process.pid;
  const found = processHashDelete(ctx, pid);
  if (found === null) {
    return;
  }
  ctx.s.rt.nprocesses--;
  proc(ctx, found).registered = false;
  ctx.k.trace({ what: "table", op: "remove", pid, oid: found });
}

/** nxt_runtime_process_release: called when use_count reaches 0. */
export function runtimeProcessRelease(ctx: Ctx, process: ProcessRec): void {
  if (process.registered) {
    runtimeProcessRemove(ctx, process);
  }
  if (process.link !== null) {
    queueRemove(ctx, process.link, process.oid);
    process.link = null;
  }
  for (const childOid of process.children) {
    proc(ctx, childOid).link = null;
  }
  process.children = [];
  nxtAssert(ctx, process.useCount === 0, "nxt_runtime_process_release: use_count == 0");
  nxtAssert(ctx, !process.registered, "nxt_runtime_process_release: registered == 0");
  ctx.k.trace({ what: "table", op: "release", pid: process.pid, oid: process.oid });
  heapFree(ctx, process.oid);
}

/** `link` value of a record linked into the prototype's own nxt_proto_children list. */
export const PROTO_CHILDREN_LIST: Oid = -1;

/** nxt_queue_remove of a record from the list it is linked into: twice is a hazard. */
export function queueRemove(ctx: Ctx, parentOid: Oid, childOid: Oid): void {
  if (parentOid === PROTO_CHILDREN_LIST) {
    const list = ctx.s.proto?.children ?? [];
    const at = list.indexOf(childOid);
    if (at < 0) ctx.k.abort(`queue link #${childOid} removed twice`);
    list.splice(at, 1);
    return;
  }
  if (!isLive(ctx, parentOid)) {
    ctx.k.abort(`queue link of #${childOid} points into released record #${parentOid}`);
  }
  const children = proc(ctx, parentOid).children;
  const index = children.indexOf(childOid);
  if (index < 0) {
    ctx.k.abort(`queue link #${childOid} removed twice`);
  }
  children.splice(index, 1);
}

// ---- the port hash ----------------------------------------------------------------------

export function runtimePortFind(ctx: Ctx, pid: Pid, id: number): PortRec | null {
  for (const oid of ctx.s.rt.ports[portKey(pid, id)] ?? []) {
    const p = port(ctx, oid);
    if (p.pid === pid && p.id === id) {
      return p;
    }
  }
  return null;
}

/** nxt_runtime_port_add: a duplicate (pid, id) is dropped with a warning, refcount untouched. */
export function runtimePortAdd(ctx: Ctx, p: PortRec): void {
  if (runtimePortFind(ctx, p.pid, p.id) !== null) {
    alert(ctx, `port #${p.id} for pid ${p.pid} add failed`);
    return;
  }
  (ctx.s.rt.ports[portKey(p.pid, p.id)] ??= []).push(p.oid);
  ctx.s.rt.portByType[p.type] = p.oid;
  portUse(ctx, p, 1);
}

/** nxt_runtime_port_remove: a miss is a warning and changes nothing. */
export function runtimePortRemove(ctx: Ctx, p: PortRec): void {
  const key = portKey(p.pid, p.id);
  const entries = ctx.s.rt.ports[key];
  if (entries === undefined || runtimePortFind(ctx, p.pid, p.id) !== p) {
    alert(ctx, `port #${p.id} for pid ${p.pid} remove failed`);
    return;
  }
  entries.splice(entries.indexOf(p.oid), 1);
  if (entries.length === 0) {
    delete ctx.s.rt.ports[key];
  }
  if (ctx.s.rt.portByType[p.type] === p.oid) {
    ctx.s.rt.portByType[p.type] = null;
  }
  portUse(ctx, p, -1);
}

export function portByType(ctx: Ctx, type: ProcessType): PortRec | null {
  const oid = ctx.s.rt.portByType[type];
  return oid === null || oid === undefined ? null : port(ctx, oid);
}

/** nxt_runtime_process_port_create: get-or-create the record and attach a new port to it. */
export function runtimeProcessPortCreate(ctx: Ctx, pid: Pid, id: number, type: ProcessType): PortRec {
  const process = runtimeProcessGet(ctx, pid);
  const p = portNew(ctx, id, pid, type);
  processPortAdd(ctx, process, p);
  processUse(ctx, process, -1);
  runtimePortAdd(ctx, p);
  portUse(ctx, p, -1);
  return p;
}

// ---- quitting ---------------------------------------------------------------------------

/** nxt_runtime_quit */
export function* runtimeQuit(ctx: Ctx, status: number): Sys<void> {
  const rt = ctx.s.rt;
  rt.status |= status;
  let done = true;
  if (!rt.shutdown) {
    rt.shutdown = true;
    if (rt.type !== NXT_PROCESS_MAIN) {
      // Children own an auxiliary thread pool (made in nxt_process_setup); it is destroyed
      // asynchronously and its completion calls nxt_runtime_quit again.
      ctx.k.post({ fn: "runtimeQuit", arg: 0 });
      done = false;
    } else {
      // Main's shutdown begins (a signal, or a start it cannot do without): reported like nxt_process_quit's.
      ctx.k.trace({ what: "quit", status });
      yield* runtimeStopAllProcesses(ctx);
      // Main is done only once its SIGCHLD handler finds nprocesses <= 1 (the mutant: at once).
      done = quitsAtOnce(ctx) || hasMutant(ctx.s.options, "main-quits-at-once");
    }
  } else if (repeatedQuitWaits(ctx)) {
    done = false;
  }
  if (done) {
    ctx.k.post({ fn: exitWork(ctx), arg: null });
  }
}

/** nxt_runtime_stop_all_processes: QUIT to every port of every record (main's own too). */
export function* runtimeStopAllProcesses(ctx: Ctx): Sys<void> {
  for (const oid of runtimeProcessEach(ctx)) {
    if (!stillRegistered(ctx, oid)) continue;
    for (const portOid of [...proc(ctx, oid).ports]) {
      yield* portSocketWrite(ctx, port(ctx, portOid), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
    }
  }
}

/** nxt_runtime_stop_app_processes: QUIT to records whose DESCRIPTOR type is APP or PROTOTYPE. */
export function* runtimeStopAppProcesses(ctx: Ctx): Sys<void> {
  for (const oid of runtimeProcessEach(ctx)) {
    if (!stillRegistered(ctx, oid)) continue;
    const process = proc(ctx, oid);
    const type = processInitOf(process).type;
    if (type === NXT_PROCESS_APP || type === NXT_PROCESS_PROTOTYPE) {
      for (const portOid of [...process.ports]) {
        yield* portSocketWrite(ctx, port(ctx, portOid), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
      }
    }
  }
}

/** nxt_runtime_exit: drop every record, close every port, exit with the collected status. */
export function* runtimeExit(ctx: Ctx): Sys<never> {
  traceTableSnapshot(ctx, "exit", null);
  yield* closeOwnPortsAtExit(ctx);
  for (const oid of runtimeProcessEach(ctx)) {
    if (!stillRegistered(ctx, oid)) continue;
    const process = proc(ctx, oid);
    runtimeProcessRemove(ctx, process);
    if (isLive(ctx, oid)) {
      yield* processClosePorts(ctx, process);
    }
  }
  return yield* ctx.k.exit(ctx.s.rt.status);
}


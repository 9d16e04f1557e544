// What fork copies: a process's whole state, as the model hands it to clone(). Field by
// field for the model's own records (the compiler checks each literal names every required
// field, and test/lifecycle/fork-image.test.ts that a copy equals the state, key order
// included, at every clone of runs with every switch), copyPlain for Json-typed values.
// A generic walk (copyPlain) visits objects of a dozen shapes through one site, which V8
// cannot specialise: it was most of a clone's cost, a clone's image most of what a run copies.

import { copyPlain } from "./copy.ts";
import type { Lvlhsh, LvlhshBucket, LvlhshEntry, LvlhshLevel, LvlhshNode } from "./lvlhsh.ts";
import type {
  ControllerGlobals,
  HeapObject,
  MainGlobals,
  PortMsg,
  PortRec,
  ProcessRec,
  ProtoGlobals,
  QueuedMsg,
  RouterApp,
  RouterGlobals,
  RpcReg,
  Runtime,
  UnitGlobals,
  UnitLib,
} from "./state.ts";

/** The child's copy of a process's state at clone(). */
export function forkImage(s: UnitGlobals): UnitGlobals {
  return {
    pid: s.pid,
    ppid: s.ppid,
    euid: s.euid,
    egid: s.egid,
    portNextId: s.portNextId,
    rt: copyRuntime(s.rt),
    heap: { next: s.heap.next, objs: copyHeap(s.heap.objs, s.heap.next) },
    options: shared(s.options),
    main: s.main === null ? null : copyMain(s.main),
    proto: s.proto === null ? null : copyProto(s.proto),
    router: s.router === null ? null : copyRouter(s.router),
    controller: s.controller === null ? null : copyController(s.controller),
    unit: s.unit === null ? null : copyUnitLib(s.unit),
  };
}

/** Frozen data is shared (it cannot change); anything else is copied. */
function shared<T>(value: T): T {
  return typeof value !== "object" || value === null || Object.isFrozen(value) ? value : copyPlain(value);
}

function copyMap<T>(src: Record<string, T>, copy: (value: T) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key in src) out[key] = copy(src[key]!);
  return out;
}

/** The heap by address: oids are integers below `next`, so a count beats a for-in (same key order). */
function copyHeap(objs: Record<string, HeapObject>, next: number): Record<string, HeapObject> {
  const out: Record<string, HeapObject> = {};
  for (let oid = 0; oid < next; oid++) {
    const obj = objs[oid];
    if (obj !== undefined) out[oid] = copyHeapObject(obj);
  }
  return out;
}

function copyNumbers(src: readonly number[]): number[] {
  return src.slice();
}

function same<T>(value: T): T {
  return value;
}

function copyRuntime(rt: Runtime): Runtime {
  return {
    type: rt.type,
    isPidIsolated: rt.isPidIsolated,
    processes: copyLvlhsh(rt.processes),
    nprocesses: rt.nprocesses,
    mprocess: rt.mprocess,
    ports: copyMap(rt.ports, copyNumbers),
    portByType: rt.portByType.slice(),
    readPorts: copyMap(rt.readPorts, same),
    capabilities: shared(rt.capabilities),
    userCred: shared(rt.userCred),
    status: rt.status,
    shutdown: rt.shutdown,
    streamCounter: rt.streamCounter,
    languages: shared(rt.languages),
  };
}

function copyLvlhsh(lh: Lvlhsh): Lvlhsh {
  return { proto: lh.proto, root: lh.root === null ? null : copyNode(lh.root) };
}

function copyNode(node: LvlhshNode): LvlhshNode {
  return node.kind === "bucket" ? copyBucket(node) : copyLevel(node);
}

function copyBucket(b: LvlhshBucket): LvlhshBucket {
  return { kind: "bucket", count: b.count, entries: b.entries.map(copyEntry), next: b.next === null ? null : copyBucket(b.next) };
}

function copyEntry(e: LvlhshEntry | null): LvlhshEntry | null {
  if (e === null) return null;
  return { value: e.value, hash: e.hash, key: typeof e.key === "number" ? e.key : [e.key[0], e.key[1]] };
}

function copyLevel(l: LvlhshLevel): LvlhshLevel {
  return { kind: "level", count: l.count, slots: l.slots.map((n) => (n === null ? null : copyNode(n))) };
}

function copyHeapObject(obj: HeapObject): HeapObject {
  return obj.kind === "process" ? copyProcessRec(obj) : copyPortRec(obj);
}

function copyProcessRec(p: ProcessRec): ProcessRec {
  return {
    kind: "process",
    oid: p.oid,
    pid: p.pid,
    isolatedPid: p.isolatedPid,
    ports: p.ports.slice(),
    state: p.state,
    registered: p.registered,
    useCount: p.useCount,
    name: p.name,
    parentPort: p.parentPort,
    stream: p.stream,
    init: shared(p.init),
    children: p.children.slice(),
    link: p.link,
    userCred: shared(p.userCred),
    isolation: shared(p.isolation),
    data: shared(p.data),
  };
}

function copyPortRec(p: PortRec): PortRec {
  const out: PortRec = {
    kind: "port",
    oid: p.oid,
    id: p.id,
    pid: p.pid,
    type: p.type,
    pair: [p.pair[0], p.pair[1]],
    queueFd: p.queueFd,
    process: p.process,
    useCount: p.useCount,
    handlers: p.handlers,
    readActive: p.readActive,
    writeEnabled: p.writeEnabled,
    maxSize: p.maxSize,
    maxShare: p.maxShare,
    rpcStreams: copyLvlhsh(p.rpcStreams),
    rpcRegs: copyMap(p.rpcRegs, copyRpcReg),
    rpcPeers: copyMap(p.rpcPeers, copyNumbers),
    queued: p.queued.map(copyQueuedMsg),
    app: p.app,
  };
  // Optional fields, set after the record was made: appended, as they were on the original.
  if ("closeWhenSent" in p) out.closeWhenSent = p.closeWhenSent!;
  if ("inheritedQueue" in p) out.inheritedQueue = p.inheritedQueue!;
  return out;
}

function copyRpcReg(r: RpcReg): RpcReg {
  return { stream: r.stream, ready: r.ready, error: r.error, peer: r.peer, data: shared(r.data) };
}

function copyQueuedMsg(q: QueuedMsg): QueuedMsg {
  return { msg: copyPortMsg(q.msg), fds: q.fds.slice(), closeFds: q.closeFds };
}

/** A port message (also a message's data on the wire, Program.copyMessage). */
export function copyPortMsg(m: PortMsg): PortMsg {
  return { type: m.type, last: m.last, stream: m.stream, pid: m.pid, replyPort: m.replyPort, body: copyPlain(m.body) };
}

function copyMain(m: MainGlobals): MainGlobals {
  const kept = m.cgroupsKept === undefined ? {} : { cgroupsKept: m.cgroupsKept.slice() };
  return { exiting: m.exiting, conf: shared(m.conf), mainUser: m.mainUser, mainGroup: m.mainGroup, ...kept };
}

function copyProto(p: ProtoGlobals): ProtoGlobals {
  return { exiting: p.exiting, pids: copyMap(p.pids, same), children: p.children.slice() };
}

function copyRouter(r: RouterGlobals): RouterGlobals {
  return { apps: copyMap(r.apps, copyRouterApp), current: copyMap(r.current, same), made: r.made };
}

function copyRouterApp(a: RouterApp): RouterApp {
  return {
    id: a.id,
    name: a.name,
    conf: shared(a.conf),
    maxProcesses: a.maxProcesses,
    spareProcesses: a.spareProcesses,
    maxPendingProcesses: a.maxPendingProcesses,
    idleTimeout: a.idleTimeout,
    protoPort: a.protoPort,
    sharedPair: [a.sharedPair[0], a.sharedPair[1]],
    pending: a.pending,
    ports: a.ports.slice(),
    removed: a.removed,
    idleProcesses: a.idleProcesses,
    sparePorts: a.sparePorts.slice(),
    idlePorts: a.idlePorts.slice(),
    idleStart: copyMap(a.idleStart, same),
    activeRequests: a.activeRequests,
    portRequests: copyMap(a.portRequests, same),
    ackWaitingReq: a.ackWaitingReq.slice(),
    adjustIdleQueued: a.adjustIdleQueued,
    idleTimer: a.idleTimer,
    quitPorts: a.quitPorts.slice(),
  };
}

function copyController(c: ControllerGlobals): ControllerGlobals {
  const out: ControllerGlobals = { routerReady: c.routerReady, conf: shared(c.conf) };
  if ("greeter" in c) out.greeter = c.greeter!;
  return out;
}

function copyUnitLib(u: UnitLib): UnitLib {
  return { ports: copyMap(u.ports, same), readFd: u.readFd };
}


// The plain-data state of ONE Unit process: its C globals (nxt_pid, nxt_ppid, ...), its
// runtime (nxt_runtime_t) and a small heap standing for its memory pools.
//
// Records point at each other by heap address (`Oid`), never by JS reference, so the whole
// state is JSON: clone() copies it as fork copies memory, and the real backend serialises it.
// A freed object disappears from the heap, which is how a use after release is caught.

import type { Credential } from "./credential.ts";
import type { Isolation } from "./isolation.ts";
import type { Fd, Json, Pid } from "./kernel.ts";
import type { Lvlhsh } from "./lvlhsh.ts";
import type { ModelOptions } from "./options.ts";

export type Oid = number;

export const NXT_PROCESS_MAIN = 0;
export const NXT_PROCESS_DISCOVERY = 1;
export const NXT_PROCESS_CONTROLLER = 2;
export const NXT_PROCESS_ROUTER = 3;
export const NXT_PROCESS_PROTOTYPE = 4;
export const NXT_PROCESS_APP = 5;
export const NXT_PROCESS_MAX = 6;

export type ProcessType = 0 | 1 | 2 | 3 | 4 | 5;

export const PROCESS_TYPE_NAMES = ["main", "discovery", "controller", "router", "prototype", "app"] as const;
export type ProcessTypeName = (typeof PROCESS_TYPE_NAMES)[number];

export const NXT_PROCESS_STATE_CREATING = 0;
export const NXT_PROCESS_STATE_CREATED = 1;
export const NXT_PROCESS_STATE_READY = 2;
export type ProcessState = 0 | 1 | 2;
export const PROCESS_STATE_NAMES = ["CREATING", "CREATED", "READY"] as const;

/** nxt_process_init_t: a process descriptor; behaviour by name. */
export interface ProcessInit {
  type: ProcessType;
  name: string;
  prefork: string | null;
  setup: string;
  start: string;
  restart: boolean;
  signals: string;
  portHandlers: string;
}

/** Application data carried by prototype and app records (nxt_common_app_conf_t slice). */
export interface AppData {
  name: string;
  type: string;
  conf: Json;
  sharedPortFd: Fd;
  sharedQueueFd: Fd;
}

/** nxt_process_t */
export interface ProcessRec {
  kind: "process";
  oid: Oid;
  pid: Pid;
  isolatedPid: Pid;
  ports: Oid[];
  state: ProcessState;
  registered: boolean;
  useCount: number;
  name: string;
  parentPort: Oid | null;
  stream: number;
  /** null = the zero-filled descriptor of records made by nxt_runtime_process_get. */
  init: ProcessInit | null;
  children: Oid[];
  /** The record whose `children` list this one is linked into (nxt_queue link), if any. */
  link: Oid | null;
  userCred: Credential | null;
  isolation: Isolation;
  data: AppData | null;
}

/** One RPC registration (nxt_port_rpc_reg_t). */
export interface RpcReg {
  stream: number;
  ready: string;
  error: string;
  peer: Pid;
  data: Json;
}

/** A message Unit queued on a port because the socket was not writable. */
export interface QueuedMsg {
  msg: PortMsg;
  fds: Fd[];
  closeFds: boolean;
}

/** nxt_port_t */
export interface PortRec {
  kind: "port";
  oid: Oid;
  id: number;
  pid: Pid;
  type: ProcessType;
  /** [read end, write end]; -1 when closed or never had. */
  pair: [Fd, Fd];
  queueFd: Fd;
  process: Oid | null;
  useCount: number;
  /** Name of the handler table once enabled (nxt_port_handlers_t). */
  handlers: string | null;
  readActive: boolean;
  writeEnabled: boolean;
  maxSize: number;
  maxShare: number;
  /** port->rpc_streams: the registrations' streams in a level hash (its walk order is Unit's). */
  rpcStreams: Lvlhsh;
  /** The registrations by stream (what the hash's entries point to in Unit). */
  rpcRegs: Record<string, RpcReg>;
  /** peer pid -> streams registered with that peer (the rpc_peers multi-map). */
  rpcPeers: Record<string, number[]>;
  queued: QueuedMsg[];
  /** Fix queued-messages-dropped only (a repair): closed, its write end kept until `queued` is sent. */
  closeWhenSent?: boolean;
  /** Fix queued-messages-dropped only: `queued` came with fork, the parent's to send. */
  inheritedQueue?: boolean;
  /** Router only: the application object this port serves (its RouterApp id). */
  app: string | null;
}

export type HeapObject = ProcessRec | PortRec;

/** The port message header and body as one datagram (nxt_port_msg_t + buffer). */
export interface PortMsg {
  type: number;
  last: boolean;
  stream: number;
  pid: Pid;
  replyPort: number;
  body: Json;
}

export interface Capabilities {
  setid: boolean;
  chroot: boolean;
}

/** nxt_runtime_t, the slice the lifecycle uses. */
export interface Runtime {
  type: ProcessType;
  isPidIsolated: boolean;
  /** The process hash: key pid -> entries (lvlhsh; more than one only after a stale re-key). */
  /** rt->processes: a level hash keyed by pid (lvlhsh.ts), walked in Unit's order. */
  processes: Lvlhsh;
  nprocesses: number;
  mprocess: Oid | null;
  /** The port hash: key "pid:id" -> entries. */
  ports: Record<string, Oid[]>;
  portByType: (Oid | null)[];
  /** fd -> port whose read end it is, for the read-readiness callback. */
  readPorts: Record<string, Oid>;
  capabilities: Capabilities;
  userCred: Credential;
  status: number;
  shutdown: boolean;
  /** Handle of the MAP_SHARED stream counter page (created by main before any fork). */
  streamCounter: number;
  languages: { type: string; version: string }[];
}

/** Per-role state (the static globals of nxt_main_process.c, nxt_application.c, ...). */
export interface MainGlobals {
  exiting: boolean;
  conf: Json;
  mainUser: string;
  mainGroup: string | null;
  /** Not Unit's: the cgroup paths the repair cgroup-cleanup-before-apps cleans up again (absent until it keeps one). */
  cgroupsKept?: string[];
}

export interface ProtoGlobals {
  exiting: boolean;
  /** nxt_proto_pids: isolated pid -> app record. */
  pids: Record<string, Oid>;
  /** The private children list (nxt_proto_children). */
  children: Oid[];
}

export interface RouterApp {
  /** One per configured application object (nxt_app_t): a removed app and its re-added successor differ. */
  id: string;
  name: string;
  conf: Json;
  /** max_processes, spare_processes, max_pending_processes (spare, or 1), idle_timeout (ms). */
  maxProcesses: number;
  spareProcesses: number;
  maxPendingProcesses: number;
  idleTimeout: number;
  protoPort: Oid | null;
  /** The app's shared port, both ends kept by the router (the read end goes to each new prototype). */
  sharedPair: [number, number];
  /** pending_processes (the model starts one at a time, so 0 or 1). */
  pending: number;
  /** The app's processes' ports (app->ports and port_hash: app->processes is their count). */
  ports: Oid[];
  removed: boolean;
  /** idle_processes: ports in spare_ports or idle_ports (idle_ports in order of idle_start). */
  idleProcesses: number;
  sparePorts: Oid[];
  idlePorts: Oid[];
  /** port->idle_start of each port in idle_ports (ms of the router's clock). */
  idleStart: Record<string, number>;
  /** app->active_requests, and each port's main_app_port->active_requests. */
  activeRequests: number;
  portRequests: Record<string, number>;
  /** ack_waiting_req: the requests no process took yet, by how long each will take (ms). */
  ackWaitingReq: number[];
  /** adjust_idle_work is queued (its data set). */
  adjustIdleQueued: boolean;
  /** The app joint's idle_timer, when armed. */
  idleTimer: number | null;
  /** Fix proto-dies-mid-notify only: ports the router QUIT for idleness (their REMOVE_PID is due). */
  quitPorts: Oid[];
}

export interface RouterGlobals {
  /** Every application object by id: a removed one lives on while its ports and RPCs refer to it. */
  apps: Record<string, RouterApp>;
  /** The configured applications: name -> id. */
  current: Record<string, string>;
  /** How many application objects were made (for the next id). */
  made: number;
}

export interface ControllerGlobals {
  routerReady: boolean;
  conf: Json;
  /** Only with the router-greets-before-old-removed repair: the pid of the router that greeted last. */
  greeter?: Pid;
}

export interface UnitGlobals {
  /** nxt_pid, nxt_ppid, nxt_euid, nxt_egid */
  pid: Pid;
  ppid: Pid;
  euid: number;
  egid: number;
  /** nxt_port_get_next_id's counter. */
  portNextId: number;
  rt: Runtime;
  heap: { next: Oid; objs: Record<string, HeapObject> };
  options: ModelOptions;
  main: MainGlobals | null;
  proto: ProtoGlobals | null;
  router: RouterGlobals | null;
  controller: ControllerGlobals | null;
  /** libunit's state in an app process once the module started it. */
  unit: UnitLib | null;
}

/** libunit's slice of an app process: the ports it knows ("pid:id" -> write fd). */
export interface UnitLib {
  ports: Record<string, number>;
  readFd: number;
}

// Build and behaviour switches of the model. The defaults reproduce Unit c8d9106a as built:
// known bugs present, later upstream fixes off, the no_new_privs prctl compiled out.

import type { UserDb } from "./credential.ts";

/**
 * Fixes that can be switched on: upstream ones by GitHub issue number, and minimal repairs
 * named after their mechanism where Unit has no fix (off by default: the model is Unit's).
 */
export const KNOWN_FIXES = [
  "633", // 900828cc: isolated children stay out of the prototype's table until WHOAMI gives their host pid
  "proto-start-while-exiting", // repair: a prototype that is exiting answers START_PROCESS with RPC_ERROR instead of forking
  "modules-after-discovery-reaped", // repair: main takes a MODULES read after it reaped discovery as discovery's instead of crashing on NULL
  "reap-before-messages", // repair: main reads what is already on its port before it acts for a reaped child's children
  "remove-pid-during-whoami", // repair: a child waiting for its WHOAMI reply handles REMOVE_PID (its handler table had no slot)
  "whoami-parent-gone", // repair: main answers a WHOAMI whose parent it already reaped with QUIT instead of silence
  "shutdown-without-children", // repair: main's first quit exits at once when no process but main is left to wait for
  "second-quit-exits-main", // repair: a quit that comes once main's shutdown began waits for main's children instead of exiting main at once
  "main-start-while-exiting", // repair: main answers START_PROCESS with RPC_ERROR once it is exiting instead of starting a prototype
  "child-inherits-port-queue", // repair: a new child drops the messages its parent had queued on its ports
  "queued-messages-dropped", // repair: a closed port, and an exiting process, first send what EAGAIN left queued
  "app-dies-creating", // repair: a prototype reads its port before reaping while it has an app CREATING, and announces one that died CREATING
  "proto-dies-mid-notify", // repair: the router closes an application's process ports (a released application's too) when it loses the application's prototype
  "discovery-dies-before-modules", // repair: main starts discovery again when it exits before its MODULES were handled
  "created-overtaken-by-ready", // repair: an app's CREATED to its prototype waits on a full socket instead of being queued behind libunit's READY
  "quit-during-whoami", // repair: a process that exits while waiting for its WHOAMI reply closes its own ports at exit, ending that RPC
  "restart-not-retried", // repair: main tries again, on a timer, to restart a process it lost when the first attempt failed
  "router-greets-before-old-removed", // repair: the controller sends the configuration to the router that greeted it, not to a dead one whose REMOVE_PID is late
  "start-process-no-peer", // repair: the router's START_PROCESS RPC names the process it asks as its peer, so its death ends the RPC
  "main-adopts-orphans", // repair: main is a child subreaper (as in Unit 1.35) and, exiting, quits only once no child is left, adopted orphans too
  "exit-check-on-release", // repair: main, exiting, also quits where a queued message's write or drop released the last record but its own, not only after a reap
] as const;
export type FixName = (typeof KNOWN_FIXES)[number];

/**
 * Broken variants for checking that the tests catch them: re-introduced bugs of older Unit
 * versions (GitHub issue numbers), and mutants that each break ONE rule of the lifecycle.
 * All are off by default; README's property table says which property kills which.
 */
export const KNOWN_MUTANTS = [
  "600", // once exiting, main's SIGCHLD handler reaps one child per signal (Unit before the #600 fix)
  "312", // a failed fork leaves the port open (Unit before the #312 fix)
  "keep-all", // a child keeps every inherited port, ignoring the keep matrix
  "send-all", // NEW_PORT goes to everybody, ignoring the send matrix
  "creds-before-created", // a prototype applies its credentials before sending CREATED
  "setgroups-last", // main writes /proc/<pid>/setgroups after gid_map instead of between the maps
  "notify-all", // REMOVE_PID goes to every process in the table, ignoring remove_notify
  "notify-twice", // every REMOVE_PID is written twice
  "proto-no-notify", // a prototype reaps an app without telling main and the router (no REMOVE_PID)
  "release-twice", // main touches a reaped record's use count after closing its ports: released again
  "rekey-in-place", // a prototype re-keys an app record by changing its pid without remove/add (needs fix 633 off)
  "remove-pid-leaks-record", // the REMOVE_PID handler takes a reference to the dead record and never drops it
  "keep-matrix-table", // the model's keep matrix has one cell flipped: keep[PROTOTYPE][CONTROLLER] = 1
  "send-matrix-table", // the model's send matrix has one cell flipped: send[CONTROLLER][PROTOTYPE] = 1
  "remove-notify-matrix-table", // the model's remove_notify matrix has one cell flipped: remove_notify[DISCOVERY][CONTROLLER] = 1
  "rpc-last-kept", // nxt_port_rpc_handler leaves a registration in place after its LAST reply (nxt_port_rpc_close ends it again)
  "ready-drops-stream", // the PROCESS_READY handler sends NEW_PORT with stream 0 instead of the READY's (the start request's) stream
  "router-no-restart", // the router does not start a replacement for an app process it lost
  "router-no-spares", // nxt_router_app_need_start ignores spare_processes: no process is started before a request needs one
  "router-keeps-idle", // nxt_router_adjust_idle_timer never stops an idle process: more than spare_processes stay idle for ever
  "router-ignores-max", // nxt_router_app_can_start ignores max_processes: a request load starts processes beyond max
  "proto-created-by-header-pid", // the prototype looks an app's CREATED up by the header's pid instead of the kernel's (cmsg_pid)
  "stream-counter-private", // the RPC stream counter page is MAP_PRIVATE: each process counts on its own copy from the fork on
  "main-quits-at-once", // a shutdown signal makes main exit at once, without waiting for its children to exit
  "modules-while-exiting", // main's MODULES handler starts the controller and router even once exiting (a shutdown signal during discovery)
  "model-throws", // not a Unit rule: the model's own code throws a JS exception once unitd starts (a bug of nxtsim)
] as const;
export type MutantName = (typeof KNOWN_MUTANTS)[number];

export interface ModelOptions {
  fixes: FixName[];
  mutants: MutantName[];
  /** NXT_HAVE_PR_SET_NO_NEW_PRIVS: false at c8d9106a because of the configure typo. */
  havePrSetNoNewPrivs: boolean;
  /** Stands for /etc/passwd and /etc/group, which getpwnam/getgrnam read. */
  users: UserDb;
  /** The language modules installed on the machine: what discovery finds. */
  modules: { type: string; version: string }[];
}

export function hasFix(options: ModelOptions, fix: FixName): boolean {
  return options.fixes.includes(fix);
}

export function hasMutant(options: ModelOptions, mutant: MutantName): boolean {
  return options.mutants.includes(mutant);
}

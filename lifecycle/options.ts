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
  "proto-dies-mid-notify", // repair: the router closes an application's process ports (a released application's, and those it QUIT for idleness, too) when it loses the application's prototype
  "discovery-dies-before-modules", // repair: main starts discovery again when it exits before its MODULES were handled
  "created-overtaken-by-ready", // repair: an app's CREATED to its prototype waits on a full socket instead of being queued behind libunit's READY
  "quit-during-whoami", // repair: a process that exits while waiting for its WHOAMI reply closes its own ports at exit, ending that RPC
  "restart-not-retried", // repair: main tries again, on a timer, to restart a process it lost when the first attempt failed
  "router-greets-before-old-removed", // repair: the controller sends the configuration to the router that greeted it, not to a dead one whose REMOVE_PID is late
  "start-process-no-peer", // repair: the router's START_PROCESS RPC names the process it asks as its peer, so its death ends the RPC
  "router-told-before-main", // repair: a prototype tells main of an app's death first, waiting on main's full socket, before the router
  "ready-after-reap", // repair: main's READY handler announces nothing for a child it already reaped (its ports closed and removed)
  "main-adopts-orphans", // repair: main is a child subreaper (as in Unit 1.35) and, exiting, quits only once no child is left, adopted orphans too
  "exit-check-on-release", // repair: main, exiting, also quits where a queued message's write or drop released the last record but its own, not only after a reap
  "cgroup-cleanup-before-apps", // repair (867a839f, 1.35): main cleans a prototype's cgroup up again once it reaped the apps that still held it (EBUSY) at the prototype's reap
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
  "msg-codes-not-renumbered", // the model puts c8d9106a's port message codes on the wire whatever the version (--unit 1.35 renumbers them)
  "cgroup-no-cleanup", // main does not remove a prototype's cgroup when it reaps it (no nxt_cgroup_cleanup; needs 867a839f)
  "model-throws", // not a Unit rule: the model's own code throws a JS exception once unitd starts (a bug of nxtsim)
] as const;
export type MutantName = (typeof KNOWN_MUTANTS)[number];

/**
 * Upstream commits after c8d9106a that change what the model stands for (the "model" entries of
 * fixtures/unit-history/c8d9106a-to-1.35.json; a commit of the 1.29 maintenance branch goes by
 * the master commit it copies). A Unit version is a set of them (UNIT_VERSIONS).
 */
export const UPSTREAM_COMMITS = [
  "900828cc", // fix #633: isolated children are filed under their host pid once WHOAMI gives it (the fix "633")
  "ce26dd72", // port messages: STATUS inserted after APP_RESTART, OOSM..READ_SOCKET move up one
  "867a839f", // main adds a prototype to its isolation.cgroup.path (cgroup v2), cleans the cgroup up at exit
  "f67a01b8", // validation: isolation.cgroup {"path"} accepted (cgroup v2 builds)
  "763396b8", // build: NXT_HAVE_PR_SET_NO_NEW_PRIVS defined (configure typo fixed): prctl(PR_SET_NO_NEW_PRIVS), "new_privs" accepted
  "d98a1b0d", // build: NXT_HAVE_PR_SET_CHILD_SUBREAPER defined (used by b0e2d9d0)
  "b0e2d9d0", // fork + unshare instead of clone; a pid namespace by a double fork, main a child subreaper, the host pid over a pipe
  "2e3e1c7e", // port messages: SOCKET_UNLINK inserted after SOCKET, every code from MODULES on moves up one
  "c18dd1f6", // isolation.new_privs defaults to true: PR_SET_NO_NEW_PRIVS only for an app with "new_privs": false
  "a3c3a294", // port messages: SCRIPT_GET, SCRIPT_DELETE inserted after CERT_DELETE, every code from ACCESS_LOG on moves up two
  "eba7378d", // validation: uidmap/gidmap container, host and size are required members (the generic missing-member text)
  "990fbe70", // validation: nxt_conf_vldt_clone_procmap removed, so a uidmap/gidmap field of -1 is accepted
  "9e986704", // validation: an integer "processes" is checked (below 1 or above INT32_MAX rejected)
] as const;
export type UpstreamCommit = (typeof UPSTREAM_COMMITS)[number];

/** Upstream commits that need kernel calls the model does not have yet: a version with them is not fully modelled. */
export const NOT_MODELLED_YET: readonly UpstreamCommit[] = [];

/** The Unit versions the model can stand for, as the upstream commits each has beyond c8d9106a. */
export const UNIT_VERSIONS = {
  c8d9106a: [],
  "1.35": UPSTREAM_COMMITS,
} as const satisfies Record<string, readonly UpstreamCommit[]>;
export type UnitVersion = keyof typeof UNIT_VERSIONS;
export const DEFAULT_UNIT: UnitVersion = "c8d9106a";

/** Fixes that are upstream commits: `--fix 633` is the commit 900828cc, one option under two names. */
export const UPSTREAM_FIXES: Readonly<Partial<Record<FixName, UpstreamCommit>>> = { "633": "900828cc" };

export interface ModelOptions {
  /** The repairs switched on (a fix that is an upstream commit is in `upstream` instead). */
  fixes: FixName[];
  mutants: MutantName[];
  /** The upstream commits beyond c8d9106a in effect: the version's, and those of the upstream fixes switched on. */
  upstream: UpstreamCommit[];
  /** NXT_HAVE_PR_SET_NO_NEW_PRIVS: false at c8d9106a because of the configure typo. */
  havePrSetNoNewPrivs: boolean;
  /** Stands for /etc/passwd and /etc/group, which getpwnam/getgrnam read. */
  users: UserDb;
  /** The language modules installed on the machine: what discovery finds. */
  modules: { type: string; version: string }[];
}

export function hasFix(options: ModelOptions, fix: FixName): boolean {
  askedRepairs?.add(fix); // before the shortcut: a run with no switch on is the one whose questions count
  // Most runs have no switch on; this is asked at nearly every step (a keyed lookup by name is not free).
  if (options.fixes.length === 0 && options.upstream.length === 0) return false;
  const commit = UPSTREAM_FIXES[fix];
  if (commit !== undefined) return hasUpstream(options, commit);
  return options.fixes.includes(fix);
}

/**
 * The repairs whose switch the model asked about while a recorder is on (not model state: the
 * model never reads it). A repair's switch is read through hasFix alone, so a run that never
 * asked about one is the same run with it on (harness/explore-run.ts skips that rerun).
 */
let askedRepairs: Set<FixName> | null = null;

/** What `run` returns, and which fixes could change it: the repairs it asked about, and every upstream fix (read as a commit too). */
export function recordingAskedFixes<T>(run: () => T): { value: T; canChange: (fix: string) => boolean } {
  const outer = askedRepairs;
  const asked = new Set<FixName>();
  askedRepairs = asked;
  try {
    return { value: run(), canChange: (fix) => UPSTREAM_FIXES[fix as FixName] !== undefined || asked.has(fix as FixName) };
  } finally {
    askedRepairs = outer;
  }
}

/** NXT_HAVE_PR_SET_NO_NEW_PRIVS of a build: the scenario's flag, or defined by 763396b8's configure fix. */
export function buildHasNoNewPrivs(scenarioFlag: boolean, upstream: readonly UpstreamCommit[]): boolean {
  return scenarioFlag || upstream.includes("763396b8");
}

export function hasUpstream(options: Pick<ModelOptions, "upstream">, commit: UpstreamCommit): boolean {
  return options.upstream.includes(commit);
}

export function hasMutant(options: ModelOptions, mutant: MutantName): boolean {
  return options.mutants.includes(mutant);
}

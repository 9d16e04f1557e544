// The causes of the default model's known findings, one per fix option (lifecycle/options.ts
// KNOWN_FIXES): what Unit c8d9106a does wrong, where in Unit's code, and in which
// interleaving or fault. A violation is "known: X" when replaying its run with fix X on
// removes it (harness/fix-replay.ts). Each has a recorded run that shows it,
// fixtures/causes/<fix>.json, checked by test/bugs/causes.test.ts.

import type { FixName } from "../lifecycle/options.ts";

export interface Cause {
  /** One line for people. */
  title: string;
  /** The mechanism in Unit's code: functions, files, and the interleaving or fault that needs. */
  mechanism: string;
  /** "upstream": Unit fixed it (the fix models that change); "repair": Unit has no fix, the option is the model's minimal repair. */
  kind: "upstream" | "repair";
  /** What the fix option changes. */
  fix: string;
}

export const CAUSES: Readonly<Record<FixName, Cause>> = {
  "633": {
    title: "A pid-isolated prototype files its apps under their namespace pids",
    mechanism:
      "nxt_process_create (src/nxt_process.c) keys the new record by the pid clone() returned, which in a prototype with its own pid namespace is the app's namespace pid, and nxt_runtime_process_add files it in rt->processes next to host pids: a collision with main's host pid fails the insert silently and the record is released while in use (the prototype aborts); nxt_proto_process_created_handler's re-key to the host pid leaves the port's old hash entry behind, so a reaped app's record is never released and a READY read after the reap sends main and the router a NEW_PORT of the dead app. No fault needed: every pid-isolated app.",
    kind: "upstream",
    fix: "900828cc (Unit #633, Aug 2022): isolated children stay in the prototype's children list, out of rt->processes, until PROCESS_CREATED gives their host pid",
  },
  "proto-start-while-exiting": {
    title: "Shutdown hangs: an exiting prototype forks the replacement the router asked for",
    mechanism:
      "main is preempted inside nxt_runtime_stop_all_processes (src/nxt_runtime.c) after QUITting the prototype, before the router; the prototype QUITs its apps and reports the first one reaped (REMOVE_PID); the router, not QUIT yet, asks the prototype for a replacement (START_PROCESS), and nxt_proto_start_process_handler (src/nxt_application.c) forks it although nxt_proto_exiting is set; nobody QUITs the new app, so the prototype (which quits when its last child is reaped) and main wait for ever. No fault needed.",
    kind: "repair",
    fix: "an exiting prototype answers START_PROCESS with RPC_ERROR instead of forking",
  },
  "modules-after-discovery-reaped": {
    title: "Main crashes on a MODULES it reads after it reaped discovery",
    mechanism:
      "discovery sends MODULES and dies (killed) before main reads it; nxt_main_process_sigchld_handler (src/nxt_main_process.c) closes discovery's port, which clears rt->port_by_type[NXT_PROCESS_DISCOVERY], and then nxt_main_port_modules_handler dereferences that NULL pointer in its sender check. Needs discovery killed after its MODULES write.",
    kind: "repair",
    fix: "the MODULES handler takes a MODULES whose discovery port is gone as discovery's (nothing else sends it) and starts the controller and router",
  },
  "reap-before-messages": {
    title: "The router hears of an app's death twice when main reaps its prototype first",
    mechanism:
      "a prototype reaps its apps and sends REMOVE_PID(app) to main and the router (nxt_proto_sigchld_handler, src/nxt_application.c), then exits; nxt_main_process_sigchld_handler (src/nxt_main_process.c) handles its death before reading those REMOVE_PIDs, so the apps are still in the prototype record's children list and main sends the router REMOVE_PID for each again (nxt_port_remove_notify_others); likewise a NEW_PORT of an app read after the prototype's death files a fresh record for the dead app. No fault needed (a removed application, a restart).",
    kind: "repair",
    fix: "before main acts for a reaped child that still has children linked, it reads the messages already on its port",
  },
  "remove-pid-during-whoami": {
    title: "A pid-isolated prototype crashes on a REMOVE_PID that comes while it waits for WHOAMI",
    mechanism:
      "main files a pid-isolated prototype in its table when clone() returns, and when the router dies nxt_main_process_sigchld_handler sends REMOVE_PID(router) to every process remove_notify names, prototypes included; a prototype still waiting for its WHOAMI reply has nxt_process_whoami_port_handlers (src/nxt_process.c: QUIT and RPC only), and nxt_port_handler (src/nxt_port.c) calls the empty REMOVE_PID slot: a NULL call. Needs the router to die while a prototype is in its WHOAMI handshake.",
    kind: "repair",
    fix: "the WHOAMI-wait handler table has a REMOVE_PID slot (nxt_port_remove_pid_handler)",
  },
  "whoami-parent-gone": {
    title: "An app whose prototype main already reaped waits for its WHOAMI reply for ever",
    mechanism:
      "a prototype forks an app and is killed; main handles its death (nxt_main_process_sigchld_handler) before it reads the app's WHOAMI, so nxt_main_process_whoami_handler (src/nxt_main_process.c) does not find the parent, alerts and returns without a reply; the app, reparented and unknown to main, waits in nxt_process_whoami for ever, holding its inherited ports (the router's, the dead prototype's). Needs a prototype killed while an app of it is in its handshake.",
    kind: "repair",
    fix: "main answers a WHOAMI whose parent it cannot find with QUIT on the app's port, so the app quits (not RPC_ERROR: nxt_process_whoami_error's path releases the port the app still reads, which Unit asserts against)",
  },
  "shutdown-without-children": {
    title: "Shutdown hangs when main has no child left",
    mechanism:
      "nxt_runtime_quit (src/nxt_runtime.c) in main calls nxt_runtime_stop_all_processes and leaves done = 0: main exits only when nxt_main_process_sigchld_handler calls nxt_runtime_quit again with nprocesses <= 1. When main has no child (discovery killed before MODULES, so no controller or router was started), no SIGCHLD ever comes and SIGTERM or SIGQUIT never ends main. Needs discovery killed early.",
    kind: "repair",
    fix: "main's first quit exits at once when its table holds no process but main",
  },
  "main-start-while-exiting": {
    title: "Shutdown hangs: main starts a prototype for a START_PROCESS read after shutdown began",
    mechanism:
      "nxt_main_start_process_handler (src/nxt_main_process.c) never checks nxt_exiting: a START_PROCESS the router sent before it was QUIT (here for a process it lost during the shutdown) is read after main's QUIT broadcast and starts a prototype that nobody QUITs, so main waits for it for ever.",
    kind: "repair",
    fix: "main answers START_PROCESS with RPC_ERROR once it is exiting",
  },
  "child-inherits-port-queue": {
    title: "A child forked while its parent had port messages queued keeps them, and their ports, for ever",
    mechanism:
      "a write that meets a full socket is queued on port->messages with a port reference (nxt_port_msg_chk_insert, src/nxt_port_socket.c); fork copies the queue into the child, where nxt_process_child_fixup's nxt_process_close_ports (or a later REMOVE_PID) closes the port without touching port->messages, so the queued references keep the port, hence its record, for ever; a kept port's own later writes queue behind them and are never sent. Needs a send that meets EAGAIN just before a fork.",
    kind: "repair",
    fix: "a new child drops the messages its parent had queued on any port (the parent sends them)",
  },
  "queued-messages-dropped": {
    title: "Messages a full socket left queued are lost when the port closes or the process exits",
    mechanism:
      "a write that meets EAGAIN is queued on port->messages (nxt_port_msg_chk_insert, src/nxt_port_socket.c) to be sent when the socket drains, but nxt_port_close (src/nxt_port.c) closes the write end and nxt_runtime_exit (src/nxt_runtime.c) closes every port without sending it: the QUIT nxt_main_process_sigchld_handler writes to each app of a dead prototype just before it closes their ports is lost, so the app runs on; the REMOVE_PIDs a prototype writes for its last app (nxt_proto_sigchld_handler, src/nxt_application.c) just before it quits are lost, so main or the router keeps that app's port. Needs a send that meets EAGAIN just before the close or the exit.",
    kind: "repair",
    fix: "a port closed with messages queued keeps its write end until they are sent, and a process exits only once its ports have sent their queues",
  },
  "app-dies-creating": {
    title: "An app that dies before its prototype read its PROCESS_CREATED is never announced",
    mechanism:
      "nxt_proto_sigchld_handler (src/nxt_application.c) skips nxt_port_remove_notify_others for a record still CREATING, but main already filed the app and its port when it answered the app's WHOAMI (nxt_main_process_whoami_handler), so main keeps a dead app's record and port until the prototype dies (the gap of reference I6). Needs an app killed between its WHOAMI and the prototype's read of its PROCESS_CREATED.",
    kind: "repair",
    fix: "while it has an app CREATING, the prototype reads its port before reaping (a PROCESS_CREATED sent before the death makes the record CREATED), and it announces an app that died CREATING too; in a pid namespace, where it knows only the app's namespace pid, to main alone with that pid negated, which main maps through the prototype's children by the pid their WHOAMI showed (a protocol addition). nginx/unit has no fix; the FreeUnit fork announced such deaths outside pid namespaces (freeunitorg/freeunit#268) and left the pid-namespace case open (#310)",
  },
  "proto-dies-mid-notify": {
    title: "The router keeps a dead app's port when its prototype dies in the middle of announcing it",
    mechanism:
      "nxt_port_remove_notify_others (src/nxt_port.c) writes REMOVE_PID(app) to main, then to the router; a prototype killed between the two leaves the router uninformed, and since main's REMOVE_PID handler already released the app's record (unlinking it from the prototype's children), nxt_main_process_sigchld_handler announces nothing for it when the prototype's death comes: the router keeps the app's port and record for ever. The same holds when the prototype's write to the router was lost. Needs a prototype killed during its announcements.",
    kind: "repair",
    fix: "when the router loses an application's prototype it closes that application's process ports too (they are dead, or main is QUITting them), and it keeps with a released application the port of a process it QUITs on arrival (nxt_router_app_port_ready's \"new port ready for released app\"), and with any application the port of a process it QUITs for idleness (nxt_router_adjust_idle_timer), whose REMOVE_PID may never come for the same reason",
  },
  "discovery-dies-before-modules": {
    title: "Main runs alone for ever when discovery dies before its MODULES is handled",
    mechanism:
      "only nxt_main_port_modules_handler (src/nxt_main_process.c) starts the controller and the router, and nxt_discovery_process (src/nxt_application.c) has .restart = 0: when discovery dies before main handled its MODULES, nxt_main_process_sigchld_handler reaps it, restarts nothing, and main runs on with no controller and no router, with nothing reported but the child's exit. Needs discovery killed before main handles its MODULES.",
    kind: "repair",
    fix: "main starts discovery again when it exits and main's table holds no controller or router yet (MODULES not handled)",
  },
  "created-overtaken-by-ready": {
    title: "An app's PROCESS_CREATED that meets a full socket is overtaken by its READY and lost",
    mechanism:
      "nxt_process_whoami_ok (src/nxt_process.c) writes the app's PROCESS_CREATED to its prototype with nxt_port_socket_write, which queues it on EAGAIN; the app then starts libunit, whose nxt_unit_init (src/nxt_unit.c) writes READY straight to the same fd (made blocking, nxt_unit_fd_blocking) and closes it (nxt_unit_close(ready_port.out_fd)), so the prototype handles READY before CREATED (a pid-isolated app's READY is dropped, its record not yet re-keyed) and the queued CREATED fails on the closed fd. Needs the app's CREATED write to meet EAGAIN.",
    kind: "repair",
    fix: "the app's PROCESS_CREATED to its prototype waits on a full socket, as libunit's READY does, instead of being queued",
  },
  "quit-during-whoami": {
    title: "A process that quits while waiting for its WHOAMI reply exits with the WHOAMI RPC registered",
    mechanism:
      "nxt_process_whoami (src/nxt_process.c) registers the WHOAMI RPC on the child's port before the child is in its own table (nxt_process_do_start adds it after the reply); a QUIT read in that wait (nxt_process_whoami_port_handlers) ends in nxt_runtime_exit (src/nxt_runtime.c), which ends registrations only through nxt_process_close_ports of the processes in the table (nxt_port_close, nxt_port_rpc_close), so the WHOAMI RPC is never ended. Needs a QUIT (its prototype quitting) while an app waits for WHOAMI.",
    kind: "repair",
    fix: "nxt_runtime_exit also closes the ports of its own record while it waits for the WHOAMI reply (nxt_port_close, holding a reference as the table would), so nxt_port_rpc_close ends the WHOAMI RPC",
  },
  "start-process-no-peer": {
    title: "A START_PROCESS to a prototype that dies before answering is never answered",
    mechanism:
      "nxt_router_start_app_process_handler (src/nxt_router.c), which asks for every process after the first (a lost one replaced, one more), registers its RPC with nxt_port_rpc_register_handler_ex and never sets a peer, unlike nxt_router_app_prefork (nxt_port_rpc_ex_set_peer(..., dport->pid)); when the prototype dies before it answers, the REMOVE_PID of the prototype finds no registration under its pid (nxt_port_rpc_remove_peer), so the request stays open and the application's pending_processes keeps nxt_router_app_need_start from starting another: the application runs short of processes for ever, with nothing reported. Needs a prototype killed while a start it was asked for is in progress.",
    kind: "repair",
    fix: "the router's START_PROCESS RPC of nxt_router_start_app_process_handler names the process it asks (the prototype, or main) as its peer, so that process's death ends it with an error (the router reports it failed to start the application)",
  },
  "restart-not-retried": {
    title: "A controller or router whose restart failed is never started again",
    mechanism:
      "nxt_main_process_sigchld_handler (src/nxt_main_process.c) restarts a lost controller or router (.restart = 1) with nxt_process_init_start once; when that fails (clone() or socketpair() failing) it alerts \"failed to restart\" and main runs on for ever without that process: no configuration API, or no requests served. Needs a clone failure right after the controller or router died.",
    kind: "repair",
    fix: "main tries the restart again on a timer until it succeeds or main is exiting",
  },
  "router-greets-before-old-removed": {
    title: "A restarted router never gets its configuration when its greeting overtakes the old router's REMOVE_PID",
    mechanism:
      "nxt_controller_router_ready_handler (src/nxt_controller.c) sets nxt_controller_router_ready and sends the configuration to rt->port_by_type[NXT_PROCESS_ROUTER], which is still the dead router's port when main's REMOVE_PID of it has not arrived yet (main's write queued on EAGAIN, the new router's greeting written straight); the send fails, and the late REMOVE_PID then clears nxt_controller_router_ready (nxt_controller_remove_pid_handler), so the NEW_PORT of the new router (nxt_controller_process_new_port_handler) sends nothing: the new router runs with no applications for ever. Needs the router restarted while main's write to the controller meets EAGAIN.",
    kind: "repair",
    fix: "the controller remembers which router greeted it: a greeting from a router whose port it does not hold yet waits for that router's NEW_PORT, and another router's REMOVE_PID leaves the flag alone",
  },
  "second-quit-exits-main": {
    title: "A second shutdown signal makes main exit at once, leaving its children running",
    mechanism:
      "nxt_runtime_quit (src/nxt_runtime.c) stops all processes and waits (done = 0) only the first time, while engine->shutdown is unset; a later call, from nxt_main_process_sigterm_handler or nxt_main_process_sigquit_handler (src/nxt_main_process.c) on a second signal, or on the first signal after main quit by itself (nxt_main_port_modules_handler when it cannot start the controller), finds it set, keeps done = 1 and queues nxt_runtime_exit: main exits before its children, which outlive it (reparented). Needs a shutdown signal after main's shutdown began.",
    kind: "repair",
    fix: "in main, a repeated nxt_runtime_quit exits only when no child is left (nprocesses <= 1), as the call from main's SIGCHLD handler has it",
  },
  "ready-after-reap": {
    title: "Main announces a child it already reaped when its READY is read late; a restarted router takes its dead predecessor's port",
    mechanism:
      "messages main queued to a child's port (not yet write-enabled, or EAGAIN) hold the port and so the record: after nxt_main_process_sigchld_handler (src/nxt_main_process.c) reaped the child and nxt_process_close_ports closed and removed its ports, the record stays in the runtime's process hash. The READY the child wrote before it died is then read: nxt_port_process_ready_handler (src/nxt_port.c) finds the record, marks it READY and nxt_port_send_new_port announces the dead port to every process the send matrix names. A router restarted meanwhile gets NEW_PORT of its dead predecessor: nxt_runtime_port_add sets port_by_type[ROUTER] to that port, and the router's next nxt_port_rpc_register_handler on it fails nxt_assert(port->pair[0] != -1) (a release build registers on a port it cannot read, and the reply is lost). Needs a child killed after writing READY, before main read it.",
    kind: "repair",
    fix: "main's READY handler announces nothing for a record whose first port is no longer in the runtime's ports (its ports were closed and removed when it was reaped)",
  },
  "router-told-before-main": {
    title: "The router hears of an app's death twice when its prototype dies before main heard of it",
    mechanism:
      "nxt_port_remove_notify_others (src/nxt_port.c) writes REMOVE_PID(app) to the prototype's table entries in hash order, and nxt_port_socket_write2 queues a write that meets EAGAIN: when the router's copy is written and main's is queued (or not yet written) as the prototype is killed, main's copy is lost, the app stays linked among the prototype's children in main, and nxt_main_process_sigchld_handler (src/nxt_main_process.c) announces it to the router again when it reaps the prototype. Harmless while the pid is not reused; once it is, the second REMOVE_PID removes another process's record. Needs a prototype killed during its announcements.",
    kind: "repair",
    fix: "a prototype writes REMOVE_PID to main before anyone else, waiting on main's full socket instead of queueing, so the router never hears of a death main may not have",
  },
  "main-adopts-orphans": {
    title: "Main exits before the apps of a prototype that died during shutdown: they outlive it",
    mechanism:
      "once nxt_exiting is set, nxt_main_process_sigchld_handler (src/nxt_main_process.c) QUITs the apps of a reaped prototype (its children list), closes their ports, and calls nxt_runtime_quit (src/nxt_runtime.c) as soon as rt->nprocesses <= 1; the apps are the prototype's children, not main's, so none of their exits reaches main and nothing makes it wait for them: apps still handling that QUIT when main exits outlive it, re-parented to init. Unit 1.35 makes main a child subreaper (b0e2d9d0, nxt_process_init_pidns, for pid-isolated prototypes), so such apps become main's children, but its exit check still counts only records. Needs a prototype killed during shutdown.",
    kind: "repair",
    fix: "main sets PR_SET_CHILD_SUBREAPER at its start (as Unit 1.35 does for pid-isolated prototypes), and its exiting SIGCHLD handler, with no record left but its own, quits only once waitpid finds no child left (ECHILD): the adopted apps, QUIT when their prototype was reaped, are reaped first",
  },
  "exit-check-on-release": {
    title: "Main hangs in shutdown when a record kept alive by a queued QUIT is released after its last SIGCHLD",
    mechanism:
      "main ends its shutdown only in nxt_main_process_sigchld_handler (src/nxt_main_process.c), when a reap leaves rt->nprocesses <= 1 (then nxt_runtime_quit, src/nxt_runtime.c); a QUIT that nxt_port_socket_write2 (src/nxt_port_socket.c) queued on EAGAIN holds a port reference (nxt_port_use), so the record it was sent for outlives nxt_process_close_ports; when main has reaped its last child with that record still counted, and nxt_port_write_handler (or nxt_port_error_handler) later writes or drops the QUIT, the reference it gives back releases the record (nxt_port_release, nxt_process_use, nxt_runtime_process_release: nprocesses drops to 1) and nothing checks again: main runs for ever. Needs EAGAIN on a QUIT during shutdown (to the apps of a prototype main reaps while exiting).",
    kind: "repair",
    fix: "main, exiting, also runs its exit check where nxt_port_write_handler or nxt_port_error_handler released the last record but its own (nprocesses dropped to <= 1 there), and quits",
  },
  "cgroup-cleanup-before-apps": {
    title: "Unit 1.35: a prototype that dies before its apps leaves its cgroup behind",
    mechanism:
      "Unit 1.35 only (867a839f, an application with isolation.cgroup.path): nxt_main_process_sigchld_handler (src/nxt_main_process.c) calls nxt_main_process_cleanup, hence nxt_cgroup_cleanup (src/nxt_cgroup.c), as soon as it reaps the prototype, before it QUITs the prototype's apps; the apps inherited the prototype's cgroup at fork, so while one still runs the rmdir fails EBUSY (its result is ignored) and nothing tries again: the cgroup stays until a later prototype of the application is cleaned up, or for good once main exits. Needs a prototype that dies (killed) while its apps run.",
    kind: "repair",
    fix: "once main put a prototype in its cgroup it becomes a child subreaper (the prctl 1.35 makes for pid-isolated prototypes), keeps a cgroup whose rmdir failed EBUSY at the prototype's reap, runs nxt_cgroup_cleanup for it again when it reaps a child it has no record of (an adopted app), and, exiting, waits for no child to be left, cleaning it up again, before it quits",
  },
};

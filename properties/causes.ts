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
    fix: "when the router loses an application's prototype it closes that application's process ports too (they are dead, or main is QUITting them)",
  },
};

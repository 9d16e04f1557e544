// Violations the c8d9106a model shows because Unit at c8d9106a really behaves so. Each is a
// race, gap or harmless leak in Unit's code, not in the model; the property suite reports every other
// violation as a failure. Keep the patterns tight: a pattern that is too wide would hide a
// new bug. #633 is not listed: the suite runs with its upstream fix and its own fixture
// (fixtures/bugs/633.json) proves the default model has it.

import type { Violation } from "./check.ts";

export interface KnownFinding {
  check: string;
  /** Matches the violation's reason with every number replaced by N. */
  reason: RegExp;
  /** Why Unit c8d9106a does this (with the reference section). */
  why: string;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [
  {
    check: "remove-pid-once",
    reason: /^REMOVE_PID\(app N\) reached router N twice \(again from main N\)$/,
    why: "a prototype exits after sending REMOVE_PID(app) and main reaps it before reading that message: main's SIGCHLD notifies again for every app still linked to the prototype (reference 6.1 step 5, 6.2)",
  },
  {
    check: "no-crash",
    reason: /^main N crashed: modules handler: port_by_type\[DISCOVERY\] is NULL$/,
    why: "discovery dies after sending MODULES and main handles the SIGCHLD first: the MODULES handler dereferences port_by_type[DISCOVERY] without a NULL check (reference 3.4)",
  },
  {
    check: "no-crash",
    reason: /^prototype N crashed: NULL port handler: REMOVE_PID arrived on a port with table processWhoamiPortHandlers$/,
    why: "a pid-isolated prototype still waiting for its WHOAMI reply has only QUIT and RPC slots; a REMOVE_PID from main reaches a NULL handler (reference I13)",
  },
  {
    check: "no-dead-port-fds",
    reason: /^(main|router) N holds fd N of socket N whose peer end is gone$/,
    why: "an app that dies while its prototype still has it CREATING is never notified (no REMOVE_PID), so main and the router keep its port (reference 6.2, I6 documented gap)",
  },
  {
    check: "no-dead-port-fds",
    reason: /^app N holds fd N of socket N whose peer end is gone$/,
    why: "a prototype killed while an app it forked is still in its handshake orphans that app: main never linked it (WHOAMI not yet read), so nobody QUITs it and it keeps its dead peers' ports (reference 6.1 step 3, 4.7)",
  },
  {
    check: "use-counts-return-to-zero",
    reason: /^(controller|router|prototype|app) N \((reap|remove-pid|exit)\): record of dead pid N \(use count N, its ports closed, N message\(s\) still queued\) is never released$/,
    why: "a child forked while its parent had a message queued on a port (sendmsg EAGAIN: nxt_port_socket.c queues it and takes a port reference) inherits that queue; its fixup closes the port (nxt_port_close leaves port->messages alone) and removes it from the port hash, but the queued message's reference keeps the port, hence the record, for ever: nobody in the child ever writes or drops the parent's queue (reference 3.3, 3.5, 4.2)",
  },
  {
    check: "use-counts-return-to-zero",
    reason: /^(main|router) N \((reap|remove-pid|exit)\): record of dead app N \(use count N, N of N port\(s\) still open, nothing queued\) is never released$/,
    why: "main and the router keep a dead app's record (and its port) when nobody tells them of the death: the app died while its prototype still had it CREATING (no REMOVE_PID, reference 6.2, I6), its prototype exited with the REMOVE_PID still queued (see remove-pid-complete), or main read the prototype's NEW_PORT for the app after handling the prototype's death, and nxt_port_new_port_handler files a fresh record for the dead pid (reference 5)",
  },
  {
    check: "use-counts-return-to-zero",
    reason: /^(controller|router|prototype|app) N \((reap|remove-pid|exit)\): record of dead [a-z]+ N \(use count N, (its ports closed|N of N port\(s\) still open), N message\(s\) still queued\) is never released$/,
    why: "a child forked while its parent had messages queued on a port (sendmsg EAGAIN: nxt_port_socket.c queues them, each taking a port reference) inherits that queue; closing the port (fixup, or REMOVE_PID) leaves port->messages alone (nxt_port_close) and only drops the port hash reference, so the queued references keep the port, hence the record, for ever: nobody in the child writes or drops the parent's queue (reference 3.3, 3.5, 4.2)",
  },
  {
    check: "use-counts-return-to-zero",
    reason: /^(main|router) N \((reap|remove-pid)\): record of dead app N \(use count N, its ports closed, nothing queued\) is never released$/,
    why: "an app sends CREATED and READY to its prototype and dies; the prototype reaps it (REMOVE_PID to main and the router) before reading the READY still queued on its port, and at c8d9106a (without 900828cc) the prototype files its apps in rt->processes and the reap leaves the app's record there (the trace shows no removal), so nxt_port_process_ready_handler marks it READY and sends NEW_PORT of the dead app after the REMOVE_PID: main's and the router's nxt_port_new_port_handler file a fresh record nobody removes (reachable once a step is one scheduling point; gone with fix 633)",
  },
  {
    check: "remove-pid-complete",
    reason: /^prototype N exited with REMOVE_PID\(app N\) to (main|router) N still queued$/,
    why: "a prototype that reaps its last app while exiting writes the REMOVE_PIDs, but a write that meets a full socket is only queued, and nxt_process_quit/nxt_runtime_exit exit without draining port queues, so main or the router never hears of that app (reference 6.2, 6.5)",
  },
  {
    check: "shutdown-completes",
    reason: /^(discovery|controller|router|prototype|app) N exited after main$/,
    why: "once nxt_runtime_quit has run in main (a failed start, or a first signal), a second call exits main at once without waiting for its children (reference 6.5)",
  },
  {
    check: "shutdown-completes",
    reason: /^(main|prototype|app) N still running after shutdown$/,
    why: "main starts processes for START_PROCESS and WHOAMI even while exiting and never QUITs them, and an app whose WHOAMI parent is gone waits forever for a reply (reference 6.6, section 10 'missing replies are silent'); or, with no fault at all, main is preempted inside its QUIT broadcast, the router (not QUIT yet) asks the exiting prototype to replace an app that just exited, and the prototype forks it (fixture proto-start-while-exiting: gone with --fix proto-start-while-exiting)",
  },
];

export function isKnown(v: Violation): KnownFinding | undefined {
  const normalised = v.reason.replace(/\d+/g, "N");
  return KNOWN_FINDINGS.find((k) => k.check === v.check && k.reason.test(normalised));
}

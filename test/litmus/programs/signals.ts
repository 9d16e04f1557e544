// Litmus tests about signals: a fatal signal between two sends, SIGKILL in the middle of a
// broadcast, SIGCHLD coalescing during a reap loop, and kill of a zombie.

import { isErrno, SIGCHLD, SIGKILL, SIGTERM } from "../../../lifecycle/kernel.ts";
import { cont } from "../../sim/toy-program.ts";
import { closeAll, dropWorkerFds, KILL_AFTER_GO, log, outcomeOf, pair, pairOfWorkers, pidOf, racingWorker, reapAllThenExit, roleOf, say, spawn } from "../kit.ts";
import { every, only, type Litmus } from "../litmus.ts";

/** P sends m1 then m2 to Q while R sends P a SIGTERM (default action: terminate); Q reads until EOF. */
export const signalBetweenSends: Litmus = {
  name: "signal-between-sends", title: "a default-action SIGTERM between two sends",
  main: function* (k, s) {
    yield* pairOfWorkers(k, s, { role: "P", entry: "sbsP", end: "out", races: true }, { role: "Q", entry: "litmusCollector", end: "inbox", barrier: false });
    s.victim = ["P", SIGTERM];
    s.afterGo = KILL_AFTER_GO;
  },
  handlers: racingWorker("sbsP", function* (k, s) {
    yield* k.sendmsg(s.out as number, say("m1"));
    yield* k.sendmsg(s.out as number, say("m2"));
    // P stays: only the signal ends it, so Q's EOF always follows P's death.
  }),
  outcome: (logs) => only(logs, "Q"),
  allowed: [
    { outcome: ["EOF"], why: "the signal is delivered before P's first send (P dies on its way back to user mode)" },
    { outcome: ["m1", "EOF"], why: "delivered between the sends: a fatal signal is acted on at the next return to user mode" },
    { outcome: ["m1", "m2", "EOF"], why: "delivered after both sends" },
  ],
};

/** P sends to Q1, Q2, Q3 in turn while R SIGKILLs it; each Q logs what it read. */
export const killMidBroadcast: Litmus = {
  name: "kill-mid-broadcast", title: "SIGKILL in the middle of a broadcast to three peers",
  main: function* (k, s) {
    reapAllThenExit(k);
    const outs: Record<string, number> = {};
    for (const q of ["Q1", "Q2", "Q3"]) {
      const [out, inbox] = pair(k, s);
      outs[q] = out;
      yield* spawn(k, s, { role: q, entry: "litmusCollector", keep: { inbox }, barrier: false });
    }
    yield* spawn(k, s, { role: "P", entry: "kmbP", keep: outs, races: true });
    yield* dropWorkerFds(k, s);
    s.victim = ["P", SIGKILL];
    s.afterGo = KILL_AFTER_GO;
  },
  handlers: racingWorker("kmbP", function* (k, s) {
    for (const q of ["Q1", "Q2", "Q3"]) yield* k.sendmsg(s[q] as number, say("m"));
  }),
  // 1 where the Q got P's datagram.
  outcome: (logs) => ["Q1", "Q2", "Q3"].map((q) => ((only(logs, q) as string[]).includes("m") ? 1 : 0)),
  allowed: [
    { outcome: [0, 0, 0], why: "SIGKILL lands before the first send" },
    { outcome: [1, 0, 0], why: "after the first send: SIGKILL ends P at once, the rest is never sent" },
    { outcome: [1, 1, 0], why: "after the second send" },
    { outcome: [1, 1, 1], why: "after the whole broadcast; a datagram sent is never taken back by the sender's death" },
  ],
};

/** Two children exit while R's SIGCHLD handler loops waitpid(WNOHANG); R logs what each run of the handler reaped. */
export const sigchldCoalescing: Litmus = {
  name: "sigchld-coalescing", title: "two SIGCHLD while the parent is in its reap loop",
  main: function* (k, s) {
    k.sigaction(SIGCHLD, cont("scReap"));
    yield* spawn(k, s, { role: "A", entry: "litmusExiter" });
    yield* spawn(k, s, { role: "B", entry: "litmusExiter" });
  },
  handlers: {
    scReap: function* (k, s) {
      const run: string[] = [];
      for (let w = yield* k.waitpid(); w !== 0 && !isErrno(w); w = yield* k.waitpid()) run.push(roleOf(s, w.pid));
      log(k, s, run);
      s.reaped = ((s.reaped as number | undefined) ?? 0) + run.length;
      // Exit a little later, not at once: a SIGCHLD still pending then runs the handler again.
      if (s.reaped === 2 && run.length > 0) k.setTimer(20, cont("scExit"));
    },
    scExit: (k) => k.exit(0),
  },
  outcome: (logs) => every(logs, "R"),
  allowed: [
    { outcome: [["A", "B"]], why: "both exit before the handler starts: B's SIGCHLD coalesces with the pending one; waitpid reaps the older child first" },
    { outcome: [["A"], ["B"]], why: "B exits after the first run's last waitpid: its SIGCHLD runs the handler again" },
    { outcome: [["B"], ["A"]], why: "as above, B first" },
    { outcome: [["A", "B"], []], why: "B exits during the first run, which reaps it too; its SIGCHLD, pending again, runs the handler once more for nothing" },
    { outcome: [["B", "A"], []], why: "as above, B first; never [[B, A]] alone: A exited after the first run took B's SIGCHLD, so A's is pending again" },
  ],
};

/** R kills its child C (SIGTERM) just as C exits, and only then reaps it: kill of a zombie. */
export const killZombie: Litmus = {
  name: "kill-zombie", title: "kill racing a child's exit (kill of a zombie)",
  main: function* (k, s) {
    k.sigaction(SIGCHLD, cont("kzReap"));
    yield* spawn(k, s, { role: "C", entry: "kzChild", races: true });
    s.afterGo = "kzKill";
  },
  handlers: {
    ...racingWorker("kzChild", (k) => k.exit(0)),
    kzKill: function* (k, s) {
      s.kill = outcomeOf(yield* k.kill(pidOf(s, "C"), SIGTERM));
      if (s.reapLater === true) k.post(cont("kzReap"));
    },
    // Reaps only after the kill (a SIGCHLD that came first waits for it): the kill then meets C alive or a zombie.
    kzReap: function* (k, s) {
      if (s.kill === undefined) return void (s.reapLater = true);
      const w = yield* k.waitpid();
      if (w === 0 || isErrno(w)) return;
      log(k, s, { kill: s.kill, status: w.signaled === undefined ? `exited ${w.exited}` : `signal ${w.signaled}` });
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => only(logs, "R"),
  allowed: [
    { outcome: { kill: "ok", status: "exited 0" }, why: "C had exited: kill of a zombie succeeds (it is still in the pid table until reaped) and changes nothing" },
    { outcome: { kill: "ok", status: `signal ${SIGTERM}` }, why: "SIGTERM lands while C is still in user mode, before its exit_group" },
  ],
};

/** R SIGKILLs C, then sends on the pair whose other end only C holds. */
export const killThenSend: Litmus = {
  name: "kill-then-send", title: "a send right after a SIGKILL: the victim may not be dead yet",
  main: function* (k, s) {
    reapAllThenExit(k);
    const [mine, theirs] = pair(k, s);
    yield* spawn(k, s, { role: "C", entry: "ktsChild", keep: { sock: theirs }, races: true });
    yield* closeAll(k, s, [theirs]);
    s.out = mine;
    s.afterGo = "ktsKill";
  },
  handlers: {
    // C stays in its event loop: only the SIGKILL ends it.
    ...racingWorker("ktsChild", () => undefined),
    ktsKill: function* (k, s) {
      yield* k.kill(pidOf(s, "C"), SIGKILL);
      log(k, s, outcomeOf(yield* k.sendmsg(s.out as number, say("m"))));
    },
  },
  outcome: (logs) => only(logs, "R"),
  allowed: [
    { outcome: "ok", why: "kill() only queues SIGKILL and wakes C; C's exit (and the release of its socket) runs later, so the send may queue before it" },
    { outcome: "EPIPE", why: "C's exit has released its end (nothing was unread) before the send" },
  ],
};

// Litmus tests about datagrams: order through a third process, data before EOF, and what
// the close of the other end does to a send and to a receive.

import { SIGCHLD, type Json, type Kernel, type Sys } from "../../../lifecycle/kernel.ts";
import { cont, type Handler, type ToyState } from "../../sim/toy-program.ts";
import { barrierWorker, closeAll, isBarrierFd, REAP_ALL, reapAll, dropWorkerFds, enter, heard, log, outcomeOf, pair, pairOfWorkers, reapAllThenExit, say, spawn } from "../kit.ts";
import { only, type Litmus } from "../litmus.ts";

/** A sends to B, then to C; B, on A's message, sends to C; C reads both (then EOF). */
export const overtaking: Litmus = {
  name: "overtaking", title: "message overtaking through a third process",
  main: function* (k, s) {
    reapAllThenExit(k);
    const [a, b] = pair(k, s);
    const [w, c] = pair(k, s); // A and B hold the same sending end: C's queue is in send order
    yield* spawn(k, s, { role: "A", entry: "ovtA", keep: { toB: a, toC: w } });
    yield* spawn(k, s, { role: "B", entry: "ovtB", keep: { fromA: b, toC: w } });
    yield* spawn(k, s, { role: "C", entry: "litmusCollector", keep: { inbox: c }, barrier: false });
    yield* dropWorkerFds(k, s);
  },
  handlers: {
    ...barrierWorker("ovtA", function* (k, s) {
      yield* k.sendmsg(s.toB as number, say("a1"));
      yield* k.sendmsg(s.toC as number, say("a"));
      return yield* k.exit(0);
    }),
    // B waits for a1 from its start on, so that it reacts at once.
    ...barrierWorker("ovtB", () => undefined, (k, s) => void k.watchRead(s.fromA as number, "ovtBRead")),
    ovtBRead: function* (k, s) {
      if (heard(yield* k.recvmsg(s.fromA as number)) !== "a1") return;
      yield* k.sendmsg(s.toC as number, say("b"));
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => only(logs, "C"),
  allowed: [
    { outcome: ["a", "b", "EOF"], why: "A's second send lands before B, woken by a1, sends" },
    { outcome: ["b", "a", "EOF"], why: "A is preempted between its two sends; B reads a1 and its send reaches C first (causality does not order a after b)" },
  ],
};

/** P sends m1, m2 and exits; Q reads until EOF. */
export const dataBeforeEof: Litmus = {
  name: "data-before-eof", title: "a peer that sends then exits: its data is read before EOF",
  main: (k, s) => pairOfWorkers(k, s, { role: "P", entry: "dbeP", end: "out", barrier: false }, { role: "Q", entry: "litmusCollector", end: "inbox", barrier: false }),
  handlers: {
    dbeP: function* (k, s) {
      yield* enter(k, s);
      yield* k.sendmsg(s.out as number, say("m1"));
      yield* k.sendmsg(s.out as number, say("m2"));
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => only(logs, "Q"),
  allowed: [
    { outcome: ["m1", "m2", "EOF"], why: "data queued before the peer's end closed is read first: recv gives 0 only on an empty queue (no ECONNRESET: P had nothing unread)" },
  ],
};

/** P sends m1 then m2 while Q closes its end without reading. */
export const closeRacingSend: Litmus = {
  name: "close-racing-send", title: "a close racing two sends: delivered, ECONNRESET, or EPIPE",
  main: (k, s) => pairOfWorkers(k, s, { role: "P", entry: "crsP", end: "out" }, { role: "Q", entry: "crsQ", end: "inbox" }),
  handlers: {
    ...barrierWorker("crsP", function* (k, s) {
      const first = yield* k.sendmsg(s.out as number, say("m1"));
      const second = yield* k.sendmsg(s.out as number, say("m2"));
      log(k, s, [outcomeOf(first), outcomeOf(second)]);
      return yield* k.exit(0);
    }),
    ...barrierWorker("crsQ", function* (k, s) {
      yield* k.close(s.inbox as number);
      return yield* k.exit(0);
    }),
  },
  outcome: (logs) => only(logs, "P"),
  allowed: [
    { outcome: ["ok", "ok"], why: "both sends queue before the close (the close then drops them)" },
    {
      outcome: ["ok", "ECONNRESET"],
      why: "m1 is queued unread when Q closes: unix_release_sock sets ECONNRESET on P's socket, which the next send reports once",
    },
    { outcome: ["EPIPE", "EPIPE"], why: "the close comes first, with an empty queue: every later send to the dead peer is EPIPE" },
    {
      outcome: ["ok", "EPIPE"],
      why: "m2 races the close itself: unix_release_sock marks Q's socket dead before it sets ECONNRESET and SHUTDOWN_MASK on P's, so a send in between passes sock_error and finds the peer dead (EPIPE); the ECONNRESET is left for P's next call",
    },
  ],
};

/** P sends m, then receives, while Q closes its end without reading. */
export const closeWindowRecv: Litmus = {
  name: "close-window-recv", title: "a send and a receive inside the peer's close: EPIPE, yet no EOF",
  main: (k, s) => pairOfWorkers(k, s, { role: "P", entry: "cwrP", end: "sock" }, { role: "Q", entry: "cwrQ", end: "sock" }),
  handlers: {
    ...barrierWorker("cwrP", function* (k, s) {
      const sent = yield* k.sendmsg(s.sock as number, say("m"));
      const got = heard(yield* k.recvmsg(s.sock as number));
      log(k, s, [outcomeOf(sent), got]);
      return yield* k.exit(0);
    }),
    ...barrierWorker("cwrQ", function* (k, s) {
      yield* k.close(s.sock as number);
      return yield* k.exit(0);
    }),
  },
  outcome: (logs) => only(logs, "P"),
  allowed: [
    { outcome: ["ok", "EAGAIN"], why: "m is queued and P receives before Q's close has shut P's end down (nothing for P yet)" },
    { outcome: ["ok", "ECONNRESET"], why: "m is queued, then Q's close finds it unread and resets P's socket: the receive reports it" },
    { outcome: ["EPIPE", "EOF"], why: "Q's close has shut P's end down before P's receive (and had found nothing unread): EOF" },
    {
      outcome: ["EPIPE", "EAGAIN"],
      why: "P sends and receives inside unix_release_sock: Q's end is already dead (EPIPE) but P's end is not yet shut down, so the receive finds no data and no EOF",
    },
  ],
};

/** The exit-release-order programs' handlers (both variants run the same ones). */
const EXIT_RELEASE_HANDLERS: Record<string, Handler> = {
  ...barrierWorker("eroP", (k) => k.exit(0)),
  ...barrierWorker("eroQ", () => undefined, (k, s) => void k.watchRead(s.a as number, "eroQRead")),
  eroQRead: function* (k, s) {
    if (heard(yield* k.recvmsg(s.a as number)) !== "EOF") return;
    k.unwatchRead(s.a as number);
    yield* k.sendmsg(s.toR as number, say("eof"));
    return yield* k.exit(0);
  },
  eroRHeard: function* (k, s, fd) {
    if (heard(yield* k.recvmsg(fd as number)) !== "eof") return;
    k.unwatchRead(fd as number);
    log(k, s, outcomeOf(yield* k.sendmsg(s.b as number, say("m"))));
    s.logged = true;
    k.post(cont(REAP_ALL));
  },
  eroReap: function* (k, s) {
    if (s.logged === true) yield* reapAll(k);
  },
};

/**
 * P holds a (its peer with Q) and b (its peer with R) and exits; Q, on EOF on a, tells R,
 * which then sends on b. `aBelowB`: a is P's lower fd.
 */
function exitReleaseOrder(aBelowB: boolean): Litmus {
  const allowed = [{ outcome: "EPIPE", why: "P's exit had released b too before R's send" }];
  if (!aBelowB) {
    allowed.push({
      outcome: "ok",
      why: "do_exit releases P's files one after another, from the highest fd down (task works run newest first): Q's EOF on a, its message and R's send on b can all fall before b's release",
    });
  }
  return {
    name: `exit-release-order-${aBelowB ? "up" : "down"}`,
    title: `an exit releases its sockets one by one, highest fd first (a ${aBelowB ? "below" : "above"} b)`,
    main: function* (k, s) {
      k.sigaction(SIGCHLD, cont("eroReap")); // R reaps (and so exits) only once it has logged
      const [bP, bR] = aBelowB ? [-1, -1] : pair(k, s);
      const [aP, aQ] = pair(k, s);
      const [bP2, bR2] = aBelowB ? pair(k, s) : [bP, bR];
      const [toR, fromQ] = pair(k, s);
      yield* spawn(k, s, { role: "P", entry: "eroP", keep: { a: aP, b: bP2 } });
      yield* spawn(k, s, { role: "Q", entry: "eroQ", keep: { a: aQ, toR } });
      const mine = new Set([bR2, fromQ]);
      yield* closeAll(k, s, ((s.fds ?? []) as number[]).filter((fd) => !mine.has(fd) && !isBarrierFd(s, fd)));
      s.b = bR2;
      k.watchRead(fromQ, "eroRHeard");
    },
    handlers: EXIT_RELEASE_HANDLERS,
    outcome: (logs) => only(logs, "R"),
    allowed,
  };
}

export const exitReleaseOrderUp = exitReleaseOrder(true);
export const exitReleaseOrderDown = exitReleaseOrder(false);

/** Q sends to P while P sends to Q and exits without reading; Q logs its send and its reads. */
export const resetBeforeData: Litmus = {
  name: "reset-before-data", title: "a peer exits with our datagram unread: ECONNRESET comes before its last data",
  main: (k, s) => pairOfWorkers(k, s, { role: "P", entry: "rbdP", end: "sock" }, { role: "Q", entry: "rbdQ", end: "sock" }),
  handlers: {
    ...barrierWorker("rbdP", function* (k, s) {
      yield* k.sendmsg(s.sock as number, say("p"));
      return yield* k.exit(0);
    }),
    ...barrierWorker(
      "rbdQ",
      function* (k, s) {
        s.sent = outcomeOf(yield* k.sendmsg(s.sock as number, say("q")));
        if (s.eof === true) yield* rbdFinish(k, s);
      },
      (k, s) => {
        s.reads = [];
        k.watchRead(s.sock as number, "rbdQRead");
      },
    ),
    // Reads until EAGAIN: after an error (POLLERR) libuv stops watching the fd on the real kernel.
    rbdQRead: function* (k, s) {
      for (let got = heard(yield* k.recvmsg(s.sock as number)); got !== "EAGAIN"; got = heard(yield* k.recvmsg(s.sock as number))) {
        (s.reads as Json[]).push(got);
        if (got !== "EOF") continue;
        k.unwatchRead(s.sock as number);
        s.eof = true;
        if (s.sent !== undefined) yield* rbdFinish(k, s);
        return;
      }
    },
  },
  outcome: (logs) => only(logs, "Q"),
  allowed: [
    { outcome: { send: "ok", reads: ["p", "ECONNRESET", "EOF"] }, why: "q is queued unread when P exits (ECONNRESET set on Q's socket); Q had read p before" },
    {
      outcome: { send: "ok", reads: ["ECONNRESET", "p", "EOF"] },
      why: "as above, but Q reads after P's exit: the pending error is reported before the queued p (the datagram receive checks sk_err first)",
    },
    { outcome: { send: "EPIPE", reads: ["p", "EOF"] }, why: "Q sends after P's exit: nothing of Q's was unread, so no reset; the send is EPIPE" },
  ],
};

function* rbdFinish(k: Kernel, s: ToyState): Sys<void> {
  log(k, s, { send: s.sent!, reads: s.reads! });
  return yield* k.exit(0);
}

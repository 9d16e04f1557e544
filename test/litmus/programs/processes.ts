// Litmus tests about processes: a clone's child running before its parent's next point,
// SCM_CREDENTIALS of a sender in a child pid namespace that dies, and the order of
// fetch-and-add on a shared word.

import { CLONE_NEWPID, EOF, isErrno, SIGCHLD, type InMessage, type Json, type Kernel, type Sys } from "../../../lifecycle/kernel.ts";
import { cont, type ToyState } from "../../sim/toy-program.ts";
import { barrierWorker, heard, log, pair, reapAllThenExit, say, spawn } from "../kit.ts";
import { every, only, type Litmus } from "../litmus.ts";

/** R clones C, which sends "hi" at once; R's first point after clone is a non-blocking recvmsg. */
export const cloneChildFirst: Litmus = {
  name: "clone-child-first", title: "a cloned child acts before its parent's next point",
  main: function* (k, s) {
    reapAllThenExit(k);
    const [mine, theirs] = pair(k, s);
    yield* k.clone(0, { role: "C", out: theirs }, cont("ccfChild"));
    const r = yield* k.recvmsg(mine);
    log(k, s, heard(r) === "hi" ? "child first" : heard(r) === "EAGAIN" ? "parent first" : heard(r));
  },
  handlers: {
    ccfChild: function* (k, s) {
      yield* k.sendmsg(s.out as number, say("hi"));
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => only(logs, "R"),
  allowed: [
    { outcome: "child first", why: "after fork both are runnable: the child may run (and send) before the parent returns from clone" },
    { outcome: "parent first", why: "the parent reaches its recvmsg before the child's send" },
  ],
  // A cloned Node takes tens of ms to start: only long pauses let the parent wait that long.
  chaosMaxUs: 150_000,
};

/** R's view of SCM_CREDENTIALS' pid: its child's pid as clone returned it, 0, or another. */
function credOf(s: ToyState, m: InMessage): string {
  if (m.credPid === s.child) return "sender's pid";
  return m.credPid === 0 ? "0" : `other ${m.credPid}`;
}

/** Reads every datagram queued on R's end, logging each as [phase, cred]; true at EOF. */
function* drain(k: Kernel, s: ToyState, phase: string): Sys<boolean> {
  for (;;) {
    const r = yield* k.recvmsg(s.inbox as number);
    if (r === EOF) return true;
    if (isErrno(r)) return false;
    log(k, s, [phase, credOf(s, r)]);
  }
}

/** R starts S, pid 1 of a new pid namespace, which sends `messages` to R and exits. */
function* startSender(k: Kernel, s: ToyState, messages: string[]): Sys<void> {
  const [inbox, out] = pair(k, s);
  s.inbox = inbox;
  s.child = (yield* k.clone(CLONE_NEWPID, { role: "S", out }, cont("scmSender", messages))) as Json;
  yield* k.close(out);
}

/** R, on SIGCHLD: reap S, then read what is left; exit at EOF. */
function* reapThenDrain(k: Kernel, s: ToyState): Sys<void> {
  const w = yield* k.waitpid();
  if (w === 0 || isErrno(w)) return;
  k.unwatchRead(s.inbox as number);
  if (yield* drain(k, s, "reaped")) return yield* k.exit(0);
}

const scmSender = {
  scmSender: function* (k: Kernel, s: ToyState, messages: Json): Sys<void> {
    for (const m of messages as string[]) yield* k.sendmsg(s.out as number, say(m));
    return yield* k.exit(0);
  },
};

/** S (pid 1 of a new pid namespace) sends and exits; R reads only after it reaped S. */
export const scmAfterReap: Litmus = {
  name: "scm-credentials-after-reap", title: "SCM_CREDENTIALS pid of a sender in a child pid namespace, read after the sender was reaped",
  main: function* (k, s) {
    k.sigaction(SIGCHLD, cont("sarReap"));
    yield* startSender(k, s, ["hi"]);
  },
  handlers: { ...scmSender, sarReap: reapThenDrain },
  outcome: (logs) => every(logs, "R"),
  allowed: [
    {
      outcome: [["reaped", "sender's pid"]],
      why: "recvmsg translates the struct pid the skb holds into the receiver's namespace (pid_vnr); a reaped pid keeps its numbers, so R sees the pid clone gave it",
    },
  ],
};

/** As above, but R also reads as datagrams arrive: each read is before or after the reap. */
export const scmRacingReap: Litmus = {
  name: "scm-credentials-racing-reap", title: "SCM_CREDENTIALS pid of a dying sender in a child pid namespace, read before or after its reap",
  main: function* (k, s) {
    k.sigaction(SIGCHLD, cont("srrReap"));
    yield* startSender(k, s, ["m1", "m2"]);
    k.watchRead(s.inbox as number, "srrRead");
  },
  handlers: {
    srrRead: function* (k, s) {
      const r = yield* k.recvmsg(s.inbox as number);
      if (r === EOF) k.unwatchRead(s.inbox as number);
      if (r !== EOF && !isErrno(r)) log(k, s, ["unreaped", credOf(s, r)]);
    },
    srrReap: reapThenDrain,
  },
  outcome: (logs) => every(logs, "R"),
  allowed: [
    { outcome: [["unreaped", "sender's pid"], ["unreaped", "sender's pid"]], why: "both read before the reap (S alive or a zombie): its pid as R sees it" },
    { outcome: [["unreaped", "sender's pid"], ["reaped", "sender's pid"]], why: "m2 read after the reap: pid_vnr of the held struct pid is unchanged by the reap" },
    { outcome: [["reaped", "sender's pid"], ["reaped", "sender's pid"]], why: "both read after the reap" },
  ],
};

/** A and B each fetch-and-add 1 on a word R mapped shared before starting them. */
export const fetchAddOrder: Litmus = {
  name: "fetch-add-order", title: "sharedFetchAdd by two processes: one order or the other, never the same value",
  main: function* (k, s) {
    reapAllThenExit(k);
    const word = k.mmapSharedCounter(0);
    yield* spawn(k, s, { role: "A", entry: "faoChild", with: { word } });
    yield* spawn(k, s, { role: "B", entry: "faoChild", with: { word } });
  },
  handlers: barrierWorker("faoChild", function* (k, s) {
    log(k, s, yield* k.sharedFetchAdd(s.word as number, 1));
    return yield* k.exit(0);
  }),
  outcome: (logs) => [only(logs, "A"), only(logs, "B")],
  allowed: [
    { outcome: [0, 1], why: "A's atomic add comes first" },
    { outcome: [1, 0], why: "B's comes first; an atomic read-modify-write never lets both read 0" },
  ],
};

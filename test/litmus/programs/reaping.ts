// Litmus tests about orphans: a child subreaper (prctl PR_SET_CHILD_SUBREAPER) adopts the
// orphan of its child and reaps it; inside a pid namespace the namespace's init adopts it
// first, even under a subreaper outside. Each middle process M clones a leaf L and exits; L
// says where it went only once M is reaped (its reaper's "go"), so the outcome has no race.

import { CLONE_NEWPID, isErrno, SIGCHLD, type Fd, type Json, type Kernel, type Sys } from "../../../lifecycle/kernel.ts";
import { cont, type ToyState } from "../../sim/toy-program.ts";
import { enter, heard, log, pair, say } from "../kit.ts";
import { every, only, type Litmus } from "../litmus.ts";

/**
 * The reaper's SIGCHLD: reap every exited child, logging "M" for the middle process (then
 * "go" to L) and "orphan" for any other; exit once none is left.
 */
function* reapOrphans(k: Kernel, s: ToyState): Sys<void> {
  for (;;) {
    const w = yield* k.waitpid();
    if (w === 0) return;
    if (isErrno(w)) return yield* k.exit(0);
    if (w.pid !== s.middle) {
      log(k, s, "orphan");
      continue;
    }
    log(k, s, "M");
    yield* k.sendmsg(s.toLeaf as Fd, say("go"));
  }
}

/**
 * The reaper starts M, which starts L and exits; L holds `inbox`, the reaper `toLeaf`. `expect`
 * is the pid L's parent has once the reaper adopted it (as L sees pids).
 */
function* startMiddle(k: Kernel, s: ToyState, adopter: number): Sys<void> {
  k.sigaction(SIGCHLD, cont("orphanReap"));
  const [toLeaf, inbox] = pair(k, s);
  s.toLeaf = toLeaf;
  s.middle = (yield* k.clone(0, { role: "M", inbox, adopter, close: [toLeaf] }, cont("orphanMiddle"))) as Json;
  yield* k.close(inbox);
}

const orphanHandlers = {
  orphanReap: reapOrphans,
  orphanMiddle: function* (k: Kernel, s: ToyState): Sys<void> {
    yield* enter(k, s);
    yield* k.clone(0, { role: "L", inbox: s.inbox as Json, adopter: s.adopter as Json }, cont("orphanLeaf"));
    return yield* k.exit(0);
  },
  orphanLeaf: function (k: Kernel, s: ToyState): void {
    k.watchRead(s.inbox as Fd, "orphanLeafGo");
  },
  orphanLeafGo: function* (k: Kernel, s: ToyState): Sys<void> {
    const r = yield* k.recvmsg(s.inbox as Fd);
    if (isErrno(r) && r.errno === "EAGAIN") return;
    const said = heard(r);
    log(k, s, said !== "go" ? said : k.getppid() === s.adopter ? "adopted" : "elsewhere");
    return yield* k.exit(0);
  },
};

/** R, a child subreaper, starts M; M's orphan L is reparented to R, which reaps it. */
export const orphanToSubreaper: Litmus = {
  name: "orphan-to-subreaper", title: "a child subreaper adopts its grandchild when the child exits, and reaps it",
  main: function* (k, s) {
    k.prctlChildSubreaper();
    yield* startMiddle(k, s, k.getpid());
  },
  handlers: orphanHandlers,
  outcome: (logs) => ({ R: every(logs, "R"), L: only(logs, "L") }),
  allowed: [
    {
      outcome: { R: ["M", "orphan"], L: "adopted" },
      why: "M's exit reparents L to its nearest living child-subreaper ancestor (find_new_reaper) before M is a zombie; L's exit then sends R SIGCHLD and R's waitpid reaps it",
    },
  ],
};

/** R, a child subreaper, starts N, pid 1 of a new pid namespace, which starts M: L goes to N, not R. */
export const orphanToNamespaceInit: Litmus = {
  name: "orphan-to-namespace-init", title: "inside a pid namespace the namespace's init adopts an orphan, though a subreaper is above it",
  main: function* (k, s) {
    k.prctlChildSubreaper();
    k.sigaction(SIGCHLD, cont("orphanReapInit"));
    yield* k.clone(CLONE_NEWPID, { role: "N" }, cont("orphanInit"));
  },
  handlers: {
    ...orphanHandlers,
    orphanInit: function* (k: Kernel, s: ToyState): Sys<void> {
      yield* startMiddle(k, s, k.getpid());
    },
    orphanReapInit: function* (k: Kernel, s: ToyState): Sys<void> {
      for (;;) {
        const w = yield* k.waitpid();
        if (w === 0) return;
        if (isErrno(w)) return yield* k.exit(0);
        log(k, s, "N");
      }
    },
  },
  outcome: (logs) => ({ R: every(logs, "R"), N: every(logs, "N"), L: only(logs, "L") }),
  allowed: [
    {
      outcome: { R: ["N"], N: ["M", "orphan"], L: "adopted" },
      why: "find_new_reaper looks for a subreaper only among ancestors in the orphan's own pid namespace, then takes its child_reaper: N (pid 1) adopts and reaps L; R reaps only N",
    },
  ],
};

// Litmus tests of pipes, ppoll and unshare, the kernel calls of Unit 1.35's double fork
// (nxt_process.c, b0e2d9d0): a pid handed back over a pipe, a ppoll woken by data, by the
// last writer's close, or by its timeout.

import { CLONE_NEWPID, EOF, isErrno, POLLHUP, POLLIN, POLLOUT, SIGCHLD, type Fd, type Json, type Kernel, type Sys } from "../../../lifecycle/kernel.ts";
import { cont, type ToyState } from "../../sim/toy-program.ts";
import { enter, log, pair, say } from "../kit.ts";
import { every, only, type Litmus } from "../litmus.ts";

function pipeOf(k: Kernel): [Fd, Fd] {
  const p = k.pipe();
  if (isErrno(p)) throw new Error(`pipe: ${p.errno}`);
  return [p[0], p[1]];
}

/** A read's result as a short value: the bytes, "EOF" or the errno's name. */
function readOutcome(r: number[] | typeof EOF | { errno: string }): Json {
  return r === EOF ? "EOF" : Array.isArray(r) ? r : r.errno;
}

const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const fromLe32 = (b: readonly number[]): number => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) | 0;

/**
 * R (a subreaper) forks M; M unshares a pid namespace and forks L into it, writes L's pid to R
 * over one pipe and exits; R reads it and answers over the other; L waits for the answer.
 * R reaps M and L, and says whether the pid it reaped L under is the one it read.
 */
export const pidOverPipe: Litmus = {
  name: "pid-over-pipe",
  title: "Unit 1.35's double fork: the grandchild is pid 1 of the namespace its parent unshared, and its pid reaches the subreaper over a pipe",
  main: function* (k, s) {
    k.prctlChildSubreaper();
    k.sigaction(SIGCHLD, cont("pipeReap"));
    const pid = pipeOf(k);
    const gc = pipeOf(k);
    s.middle = (yield* k.clone(0, { role: "M", pid, gc }, cont("pipeMiddle"))) as Json;
    yield* k.close(pid[1]);
    yield* k.close(gc[0]);
    const ready = yield* k.ppoll(pid[0], POLLIN, 5000);
    const got = isErrno(ready) || ready === 0 ? ready : yield* k.read(pid[0], 4);
    s.leaf = Array.isArray(got) && got.length === 4 ? fromLe32(got) : -1;
    yield* k.write(gc[1], [s.leaf === -1 ? 0xff : 0]);
    yield* k.close(pid[0]);
    yield* k.close(gc[1]);
  },
  handlers: {
    pipeReap: function* (k: Kernel, s: ToyState): Sys<void> {
      for (;;) {
        const w = yield* k.waitpid();
        if (w === 0) return;
        if (isErrno(w)) return yield* k.exit(0);
        log(k, s, w.pid === s.middle ? "M" : w.pid === s.leaf ? "L as read" : "other");
      }
    },
    pipeMiddle: function* (k: Kernel, s: ToyState): Sys<void> {
      const [pidR, pidW] = s.pid as [Fd, Fd];
      const gc = s.gc as [Fd, Fd];
      yield* k.unshare(CLONE_NEWPID);
      const leaf = yield* k.clone(0, { role: "L", pid: s.pid as Json, gc }, cont("pipeLeaf"));
      for (const fd of gc) yield* k.close(fd);
      yield* k.close(pidR);
      if (!isErrno(leaf) && (yield* k.ppoll(pidW, POLLOUT, 5000)) === POLLOUT) yield* k.write(pidW, le32(leaf));
      yield* k.close(pidW);
      return yield* k.exit(0);
    },
    pipeLeaf: function* (k: Kernel, s: ToyState): Sys<void> {
      const [gcR, gcW] = s.gc as [Fd, Fd];
      for (const fd of s.pid as Fd[]) yield* k.close(fd);
      yield* k.close(gcW);
      const ready = yield* k.ppoll(gcR, POLLIN, 5000);
      const status = isErrno(ready) || ready === 0 ? "no status" : readOutcome(yield* k.read(gcR, 1));
      log(k, s, [k.getpid(), status]);
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => ({ R: [...(every(logs, "R") as string[])].sort(), L: only(logs, "L") }),
  allowed: [
    {
      outcome: { R: ["L as read", "M"], L: [1, [0]] },
      why: "after unshare(CLONE_NEWPID) the first fork makes pid 1 of the new namespace, and fork returns it as the parent's namespace numbers it, R's too; M's exit reparents L (or its zombie) to R, a subreaper, which reaps both (in either order)",
    },
  ],
};

/**
 * R ppolls a pipe whose writer W waits for R: nothing can come, so the timeout ends it; then
 * R lets W go, W writes a byte and exits: ppoll sees it, then the hang-up, then EOF.
 */
export const ppollWakes: Litmus = {
  name: "ppoll-wakes",
  title: "ppoll on a pipe ends at its timeout with nothing written, on data, and on the last writer's close",
  main: function* (k, s) {
    k.sigaction(SIGCHLD, cont("litmusReapAll"));
    const [r, w] = pipeOf(k);
    const [toW, ctl] = pair(k, s);
    yield* k.clone(0, { role: "W", w, ctl, close: [r, toW] }, cont("ppollWriter"));
    yield* k.close(w);
    yield* k.close(ctl);
    const first = yield* k.ppoll(r, POLLIN, 50);
    yield* k.sendmsg(toW, say("go"));
    const second = yield* k.ppoll(r, POLLIN, 5000);
    const data = yield* k.read(r, 4);
    const third = yield* k.ppoll(r, POLLIN, 5000);
    const end = yield* k.read(r, 4);
    log(k, s, [first as Json, isErrno(second) ? second.errno : (second & POLLIN) !== 0, readOutcome(data), third as Json, readOutcome(end)]);
    yield* k.close(r);
    yield* k.close(toW);
  },
  handlers: {
    ppollWriter: function* (k: Kernel, s: ToyState): Sys<void> {
      yield* enter(k, s);
      k.watchRead(s.ctl as Fd, "ppollWriterGo");
    },
    ppollWriterGo: function* (k: Kernel, s: ToyState): Sys<void> {
      const got = yield* k.recvmsg(s.ctl as Fd);
      if (isErrno(got)) return;
      yield* k.write(s.w as Fd, [7]);
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => only(logs, "R"),
  allowed: [
    {
      outcome: [0, true, [7], POLLHUP, "EOF"],
      why: "W writes only after R's go, sent after the first ppoll returned: it times out (0); the byte then wakes the second (POLLIN, and POLLHUP too if W already exited); once it is read, the third sees only the hang-up of the last write end (W's exit) and read returns 0",
    },
  ],
};

/** W writes a byte then closes its write end; R, polling, may see the byte before or after the close. */
export const writeThenClose: Litmus = {
  name: "write-then-close",
  title: "a reader polling a pipe may wake on the data before the writer closes its end, or after",
  main: function* (k, s) {
    k.sigaction(SIGCHLD, cont("litmusReapAll"));
    const [r, w] = pipeOf(k);
    yield* k.clone(0, { role: "W", w, close: [r] }, cont("pipeWriteClose"));
    yield* k.close(w);
    const revents = yield* k.ppoll(r, POLLIN, 5000);
    log(k, s, isErrno(revents) ? revents.errno : revents);
    yield* k.close(r);
  },
  handlers: {
    pipeWriteClose: function* (k: Kernel, s: ToyState): Sys<void> {
      yield* enter(k, s);
      yield* k.write(s.w as Fd, [1]);
      yield* k.close(s.w as Fd);
      return yield* k.exit(0);
    },
  },
  outcome: (logs) => only(logs, "R"),
  allowed: [
    { outcome: POLLIN, why: "R's ppoll runs between W's write and W's close: the byte is there, a writer still holds the pipe" },
    { outcome: POLLIN | POLLHUP, why: "W's close (its end's last reference) comes first: pipe_poll reports the hang-up with the data" },
  ],
};

// A toy program with several processes talking over socket pairs: main starts three
// children, each child pings main a few times (some pings after a timer), main answers
// every ping, children exit after their last pong and main reaps them on SIGCHLD. Handlers
// are generators: every kernel call that is a scheduling point is one.

import { EOF, isErrno, SIGCHLD, type InMessage, type Json, type Kernel, type Sys } from "../../lifecycle/kernel.ts";
import { Sim, type SimOptions } from "../../sim/index.ts";
import { cont, push, toyProgram, type Handler, type ToyState } from "./toy.ts";

export const CHILDREN = 3;
export const PINGS = 3;

export const pingPongHandlers: Record<string, Handler> = {
  main: function* (k, s) {
    k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
    for (let i = 0; i < CHILDREN; i++) {
      const [mine, theirs] = k.socketpair() as [number, number];
      s.mine = mine;
      s.theirs = theirs;
      s.index = i;
      const pid = yield* k.clone(0, s, cont("childStart"));
      yield* k.close(theirs);
      if (isErrno(pid)) {
        yield* k.close(mine);
        continue;
      }
      k.watchRead(mine, "mainReadable");
    }
  },
  mainReadable: function* (k, s, fd) {
    const r = yield* k.recvmsg(fd as number);
    if (r === EOF) {
      k.unwatchRead(fd as number);
      yield* k.close(fd as number);
      return;
    }
    if (isErrno(r)) return;
    const m = r as InMessage;
    push(s, "pings", [m.credPid, m.data]);
    yield* k.sendmsg(fd as number, { data: { pong: (m.data as { ping: number }).ping }, fds: [] });
  },
  onChld: function* (k, s) {
    for (let w = yield* k.waitpid(); w !== 0 && !isErrno(w); w = yield* k.waitpid()) push(s, "reaped", w.pid);
  },
  childStart: function* (k, s) {
    yield* k.close(s.mine as number);
    s.sent = 0;
    k.watchRead(s.theirs as number, "childReadable");
    yield* sendPing(k, s);
  },
  childReadable: function* (k, s, fd) {
    const r = yield* k.recvmsg(fd as number);
    if (r === EOF || isErrno(r)) return;
    push(s, "pongs", (r.data as { pong: number }).pong);
    if ((s.sent as number) >= PINGS) return yield* k.exit(0);
    if ((s.index as number) % 2 === 0) k.setTimer(5, cont("pingLater"));
    else yield* sendPing(k, s);
  },
  pingLater: (k, s) => sendPing(k, s),
};

function* sendPing(k: Kernel, s: ToyState): Sys<void> {
  const n = (s.sent as number) + 1;
  s.sent = n;
  const r = yield* k.sendmsg(s.theirs as number, { data: { ping: n, from: s.index as Json }, fds: [] });
  if (r !== undefined) push(s, "sendErrors", r.errno);
}

export function pingPong(options: Partial<SimOptions> & { seed: string | number }): Sim {
  const sim = new Sim(toyProgram(pingPongHandlers), options);
  sim.spawn({}, cont("main"), { uid: 0, gid: 0 });
  return sim;
}

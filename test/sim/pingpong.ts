// A toy program with several processes talking over socket pairs: main starts three
// children, each child pings main a few times (some pings after a timer), main answers
// every ping, children exit after their last pong and main reaps them on SIGCHLD.

import { EOF, isErrno, SIGCHLD, type InMessage, type Json, type Kernel } from "../../lifecycle/kernel.ts";
import { Sim, type SimOptions } from "../../sim/index.ts";
import { cont, push, toyProgram, type Handler, type ToyState } from "./toy.ts";

export const CHILDREN = 3;
export const PINGS = 3;

export const pingPongHandlers: Record<string, Handler> = {
  main: (k, s) => {
    k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
    for (let i = 0; i < CHILDREN; i++) {
      const [mine, theirs] = k.socketpair() as [number, number];
      s.mine = mine;
      s.theirs = theirs;
      s.index = i;
      const pid = k.clone(0, s, cont("childStart"));
      k.close(theirs);
      if (isErrno(pid)) {
        k.close(mine);
        continue;
      }
      k.watchRead(mine, "mainReadable");
    }
  },
  mainReadable: (k, s, fd) => {
    const r = k.recvmsg(fd as number);
    if (r === EOF) {
      k.unwatchRead(fd as number);
      k.close(fd as number);
      return;
    }
    if (isErrno(r)) return;
    const m = r as InMessage;
    push(s, "pings", [m.credPid, m.data]);
    k.sendmsg(fd as number, { data: { pong: (m.data as { ping: number }).ping }, fds: [] });
  },
  onChld: (k, s) => {
    for (let w = k.waitpid(); w !== 0 && !isErrno(w); w = k.waitpid()) push(s, "reaped", w.pid);
  },
  childStart: (k, s) => {
    k.close(s.mine as number);
    s.sent = 0;
    k.watchRead(s.theirs as number, "childReadable");
    sendPing(k, s);
  },
  childReadable: (k, s, fd) => {
    const r = k.recvmsg(fd as number);
    if (r === EOF || isErrno(r)) return;
    push(s, "pongs", (r.data as { pong: number }).pong);
    if ((s.sent as number) >= PINGS) k.exit(0);
    if ((s.index as number) % 2 === 0) k.setTimer(5, cont("pingLater"));
    else sendPing(k, s);
  },
  pingLater: (k, s) => sendPing(k, s),
};

function sendPing(k: Kernel, s: ToyState): void {
  const n = (s.sent as number) + 1;
  s.sent = n;
  const r = k.sendmsg(s.theirs as number, { data: { ping: n, from: s.index as Json }, fds: [] });
  if (r !== undefined) push(s, "sendErrors", r.errno);
}

export function pingPong(options: Partial<SimOptions> & { seed: string | number }): Sim {
  const sim = new Sim(toyProgram(pingPongHandlers), options);
  sim.spawn({}, cont("main"), { uid: 0, gid: 0 });
  return sim;
}

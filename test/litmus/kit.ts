// What the litmus programs share: a root process (role "R") that starts workers, each worker
// holding only the fds it is given, and a start barrier (each worker says "ready" on its own
// control pair and waits for R's "go"). The barrier is for the real kernel: a Node process
// takes tens of ms to start, so without it the race a litmus is about would be decided by
// start-up order; the sim explores every order either way.

import { EOF, isErrno, SIGCHLD, type Errno, type Fd, type InMessage, type Json, type Kernel, type Signal, type Sys } from "../../lifecycle/kernel.ts";
import { cont, type Handler, type ToyState } from "../sim/toy-program.ts";

/** Writes `value` to the trace under the process's role (litmus.ts roleLogs reads it back). */
export function log(k: Kernel, s: ToyState, value: Json): void {
  k.trace({ what: "log", text: JSON.stringify([s.role ?? "?", value]) });
}

/** A datagram's data as the litmus programs send it: a short string. */
export function say(text: string): { data: Json; fds: Fd[] } {
  return { data: text, fds: [] };
}

/** recvmsg's result as a short string: the datagram's text, "EOF", or the errno's name. */
export function heard(r: InMessage | typeof EOF | Errno): string {
  if (r === EOF) return "EOF";
  if (isErrno(r)) return r.errno;
  return String(r.data);
}

/** A call's result as a short string: "ok" or the errno's name. */
export function outcomeOf(r: Errno | undefined): string {
  return r === undefined ? "ok" : r.errno;
}

/** socketpair, remembered in the caller's fd list (workers started later close what they do not keep). */
export function pair(k: Kernel, s: ToyState): [Fd, Fd] {
  const p = k.socketpair();
  if (isErrno(p)) throw new Error(`socketpair: ${p.errno}`);
  ((s.fds ??= []) as Fd[]).push(p[0], p[1]);
  return [p[0], p[1]];
}

/** Closes fds of the caller's fd list. */
export function* closeAll(k: Kernel, s: ToyState, fds: readonly Fd[]): Sys<void> {
  for (const fd of fds) {
    yield* k.close(fd);
    s.fds = ((s.fds ?? []) as Fd[]).filter((f) => f !== fd);
  }
}

/** Whether fd is one of R's barrier ends. */
export function isBarrierFd(s: ToyState, fd: Fd): boolean {
  return ((s.barrier ?? []) as [string, Fd, boolean][]).some(([, ctl]) => ctl === fd);
}

/** R, once its workers are started: closes every fd it made for them (it keeps only its barrier ends). */
export function* dropWorkerFds(k: Kernel, s: ToyState): Sys<void> {
  const barrier = new Set(((s.barrier ?? []) as [string, Fd, boolean][]).map(([, ctl]) => ctl));
  yield* closeAll(k, s, ((s.fds ?? []) as Fd[]).filter((fd) => !barrier.has(fd)));
}

export interface WorkerSpec {
  role: string;
  /** The worker's first handler; it starts with `enter`. */
  entry: string;
  /** fds the worker keeps, by the name its state holds them under. */
  keep?: Record<string, Fd>;
  /** Other plain values for the worker's state. */
  with?: Record<string, Json>;
  /** Takes part in the start barrier (default true). */
  barrier?: boolean;
  /** A racing worker (racingWorker): says ready but waits for no go. */
  races?: boolean;
}

/** R starts a worker: returns its pid. Its state: role, its kept fds by name, `ctl` (barrier), `close` (fds to drop at entry). */
export function* spawn(k: Kernel, s: ToyState, spec: WorkerSpec): Sys<number> {
  const keep = spec.keep ?? {};
  const barrier = spec.barrier ?? true;
  const [mine, theirs] = barrier ? pair(k, s) : [-1, -1];
  const kept = new Set([...Object.values(keep), theirs]);
  const close = ((s.fds ?? []) as Fd[]).filter((fd) => !kept.has(fd));
  const image: ToyState = { role: spec.role, ...keep, ...(spec.with ?? {}), ctl: theirs, close };
  const pid = yield* k.clone(0, image, cont(spec.entry));
  if (isErrno(pid)) throw new Error(`clone: ${pid.errno}`);
  ((s.pids ??= {}) as Record<string, Json>)[spec.role] = pid;
  ((s.roles ??= {}) as Record<string, Json>)[String(pid)] = spec.role;
  if (barrier) {
    yield* closeAll(k, s, [theirs]);
    k.watchRead(mine, "litmusReady");
    ((s.barrier ??= []) as Json[]).push([spec.role, mine, spec.races === true]);
  }
  return pid;
}

/**
 * R's usual start: reap every child then exit, and one socket pair between two workers,
 * each holding its end under the name `end`, R keeping none of it.
 */
export function* pairOfWorkers(k: Kernel, s: ToyState, p: WorkerSpec & { end: string }, q: WorkerSpec & { end: string }): Sys<void> {
  reapAllThenExit(k);
  const [a, b] = pair(k, s);
  yield* spawn(k, s, { ...p, keep: { [p.end]: a } });
  yield* spawn(k, s, { ...q, keep: { [q.end]: b } });
  yield* dropWorkerFds(k, s);
}

/** The pid R knows a role by. */
export function pidOf(s: ToyState, role: string): number {
  return (s.pids as Record<string, number>)[role]!;
}

/** The role R knows a pid by ("?" for one it did not start). */
export function roleOf(s: ToyState, pid: number): string {
  return ((s.roles ?? {}) as Record<string, string>)[String(pid)] ?? "?";
}

/** A worker's first act: drop the fds it inherited but does not keep. */
export function* enter(k: Kernel, s: ToyState): Sys<void> {
  for (const fd of (s.close ?? []) as Fd[]) yield* k.close(fd);
  s.close = [];
}

/** A worker in the barrier: `go` runs when R's go arrives (it starts with `takeGo`). */
export function* ready(k: Kernel, s: ToyState, go: string): Sys<void> {
  k.watchRead(s.ctl as Fd, go);
  yield* k.sendmsg(s.ctl as Fd, say("ready"));
}

/** Reads the control pair in a go handler: true once "go" arrived (the pair is then no longer watched). */
export function* takeGo(k: Kernel, s: ToyState, fd: Json): Sys<boolean> {
  const r = yield* k.recvmsg(fd as Fd);
  if (heard(r) === "go" || r === EOF || (isErrno(r) && r.errno !== "EAGAIN")) k.unwatchRead(fd as Fd);
  return heard(r) === "go";
}

/** The handler that reaps every exited child and exits once none is left. */
export const REAP_ALL = "litmusReapAll";

/** Reaps every exited child; exits once none is left. */
export function* reapAll(k: Kernel): Sys<void> {
  for (;;) {
    const w = yield* k.waitpid();
    if (w === 0) return;
    if (isErrno(w)) return yield* k.exit(0);
  }
}

/** SIGCHLD: reap every exited child, and exit once none is left (the run then ends on both backends). */
export function reapAllThenExit(k: Kernel): void {
  k.sigaction(SIGCHLD, cont(REAP_ALL));
}

/**
 * A worker in the start barrier: `setup` runs at its entry (before it says "ready"), `onGo`
 * once R's go arrived (handlers `name` and `name`Go).
 */
export function barrierWorker(name: string, onGo: Handler, setup?: (k: Kernel, s: ToyState) => void): Record<string, Handler> {
  const go = `${name}Go`;
  return {
    [name]: function* (k, s) {
      yield* enter(k, s);
      setup?.(k, s);
      yield* ready(k, s, go);
    },
    [go]: function* (k, s, fd) {
      if (!(yield* takeGo(k, s, fd))) return;
      const ran = onGo(k, s, fd);
      if (ran !== undefined) yield* ran;
    },
  };
}

/**
 * A worker that says "ready" and goes on with `body` at once (spawned with `races`): R's
 * `afterGo` (a kill), run once the ready arrived, races it on the real kernel.
 */
export function racingWorker(name: string, body: Handler): Record<string, Handler> {
  return {
    [name]: function* (k, s, arg) {
      yield* enter(k, s);
      yield* k.sendmsg(s.ctl as Fd, say("ready"));
      const ran = body(k, s, arg);
      if (ran !== undefined) yield* ran;
    },
  };
}

/** R's `afterGo` that kills a worker: s.victim is [role, signal]. */
export const KILL_AFTER_GO = "litmusKill";

/** Handlers every litmus program has. */
export const kitHandlers: Record<string, Handler> = {
  /** R: a worker's "ready"; once every barrier worker is ready, "go" to each in start order, then R's `afterGo`. */
  litmusReady: function* (k, s, fd) {
    const r = yield* k.recvmsg(fd as Fd);
    if (heard(r) !== "ready") {
      if (!(isErrno(r) && r.errno === "EAGAIN")) k.unwatchRead(fd as Fd);
      return;
    }
    s.readyCount = ((s.readyCount as number | undefined) ?? 0) + 1;
    const barrier = s.barrier as [string, Fd, boolean][];
    if (s.readyCount !== barrier.length) return;
    for (const [, ctl] of barrier) k.unwatchRead(ctl);
    for (const [, ctl, races] of barrier) if (!races) yield* k.sendmsg(ctl, say("go"));
    if (typeof s.afterGo === "string") k.post(cont(s.afterGo));
  },
  [KILL_AFTER_GO]: function* (k, s) {
    const [role, sig] = s.victim as [string, Signal];
    yield* k.kill(pidOf(s, role), sig);
  },
  [REAP_ALL]: reapAll,
  /** A worker that reads its `inbox` until EOF (or an error), then logs all it read and exits. */
  litmusCollector: function* (k, s) {
    yield* enter(k, s);
    s.seen = [];
    k.watchRead(s.inbox as Fd, "litmusCollect");
  },
  litmusCollect: function* (k, s) {
    const r = yield* k.recvmsg(s.inbox as Fd);
    if (isErrno(r) && r.errno === "EAGAIN") return;
    (s.seen as Json[]).push(heard(r));
    if (r !== EOF && !isErrno(r)) return;
    log(k, s, s.seen as Json[]);
    return yield* k.exit(0);
  },
  /** A worker in the barrier that exits at R's go. */
  ...barrierWorker("litmusExiter", (k) => k.exit(0)),
};

// The Kernel seam on the real Linux kernel: one RealKernel per real process (each Unit
// process of the model is its own Node process). Calls are real syscalls through the native
// addon or Node; each is reported to the harness in the sim's trace vocabulary.
//
// Departures from a C process, each forced by running Node:
// - clone() is clone3 + execve of node: the child gets the model image and its fds at the
//   same numbers, as fork would leave them, but starts a fresh Node runtime.
// - SIGCHLD is raised from the child's pidfd becoming readable (Node owns the real SIGCHLD).
// - A child created in a new user namespace keeps, through execve, the full capabilities a
//   forked child has there (ambient capabilities raised before exec): an exec'd Node with an
//   unmapped uid would otherwise have none (shared/reference/linux-notes.md, pitfall 6), and
//   Unit's order (maps written by main after CREATED) is kept unchanged.
// - Pids are those a single-threaded C process would get (real/pid-cursor.ts), where allowed.

import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";

import type {
  Continuation,
  Eof,
  Errno,
  ErrnoName,
  Fd,
  Gid,
  InMessage,
  Json,
  Kernel,
  ModelEvent,
  OutMessage,
  Pid,
  ProcMapFile,
  Signal,
  SignalDisposition,
  Sys,
  Uid,
  WaitStatus,
} from "../lifecycle/kernel.ts";
import { CLONE_NEWPID, CLONE_NEWUSER, EOF, errno, isErrno, POINTS, SIGCHLD } from "../lifecycle/kernel.ts";
import type { TraceBody } from "../lifecycle/trace.ts";
import type { RealKernelState, RunFds, UnitBoot } from "./boot-record.ts";
import { writeTmpJson } from "./boot-record.ts";
import { chaosPause } from "./chaos.ts";
import { childArgv, childEnv } from "./child-command.ts";
import * as native from "./native.ts";
import { createCursor, spawnAtNextPid, threadBase } from "./pid-cursor.ts";
import { childrenOfSelf } from "./procfs.ts";
import { CGROUP_FILE_ERRNOS } from "./run-cgroup-ns.ts";
import { signalName } from "./signals.ts";
import { encodeRecord, type WireRecord } from "./wire.ts";

const KNOWN_ERRNOS: readonly ErrnoName[] = ["EAGAIN", "ENOMEM", "EPIPE", "EPERM", "EINVAL", "ECHILD", "EBADF", "ENOENT", "EACCES", "ESRCH", "EINTR", "ECONNRESET", ...CGROUP_FILE_ERRNOS];
const EXIT_SIGNAL_MASK = 0xff;
/** Largest port message we read (SEQPACKET datagrams are bounded by the socket buffer). */
const MAX_DATAGRAM = 256 * 1024;

/** A thrown native or Node error as the model's Errno; anything else is ours and rethrown. */
export function toErrno(err: unknown): Errno {
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (KNOWN_ERRNOS as readonly string[]).includes(code)) return errno(code as ErrnoName);
  throw err;
}

function traced(ret: Errno | undefined | Json): Json {
  if (ret === undefined) return null;
  if (isErrno(ret)) return ret.errno;
  return ret;
}

/** Runs a continuation of the model in this process (the lifecycle program). */
export type Dispatch = (work: Continuation) => void;

export class RealKernel implements Kernel {
  private readonly watchers = new Map<number, native.Watcher>();
  private readonly childWatchers = new Map<number, native.Watcher>();
  private readonly timerHandles = new Map<number, NodeJS.Timeout>();
  private readonly signalListeners = new Map<number, () => void>();
  private sigchldPending = false;
  private draining = false;
  private dispatch: Dispatch = () => {
    throw new Error("real kernel: no dispatcher set");
  };

  constructor(
    private readonly fds: RunFds,
    private readonly runStartNs: bigint,
    private readonly st: RealKernelState,
  ) {}

  /** Installs the dispatcher and everything the state says is live (after start or re-exec). */
  start(dispatch: Dispatch): void {
    this.dispatch = dispatch;
    // pid 1 of a new pid namespace: the namespace's cursor starts at us.
    if (this.st.pidCursor.fd === -1) this.st.pidCursor = createCursor(1, this.st.pidCursor.pidMax);
    for (const [sig, d] of this.st.dispositions) this.applyDisposition(sig as Signal, d);
    for (const [fd, fn] of this.st.watches) this.startWatch(fd, fn);
    for (const c of this.st.children) this.watchChild(c.pidfd);
    if (this.st.subreaper === true) native.setChildSubreaper(true);
    if (this.st.work.length > 0) this.scheduleDrain();
  }

  // ---- identity ----

  getpid(): Pid {
    return this.sys("getpid", {}, process.pid);
  }

  getppid(): Pid {
    return this.sys("getppid", {}, process.ppid);
  }

  geteuid(): Uid {
    return this.sys("geteuid", {}, process.geteuid!());
  }

  getegid(): Gid {
    return this.sys("getegid", {}, process.getegid!());
  }

  // ---- processes ----

  *clone(flags: number, image: Json, child: Continuation): Sys<Pid | Errno> {
    yield POINTS.clone;
    return this.cloneNow(flags, image, child);
  }

  private cloneNow(flags: number, image: Json, child: Continuation): Pid | Errno {
    const args = { flags, child: child.fn };
    // unshare()'s namespaces are made here, for the first child only (the model forks once after it).
    const unshared = this.st.unshared ?? 0;
    if (unshared === -1) throw new Error("real kernel: a second fork after unshare() is not emulated (its namespaces would be made again)");
    if (unshared !== 0) this.st.unshared = -1;
    const nsFlags = (flags & ~EXIT_SIGNAL_MASK) | unshared;
    const newPidNs = (nsFlags & CLONE_NEWPID) !== 0;
    const cursor = this.st.pidCursor;
    const kernel: RealKernelState = {
      modelFds: [...this.st.modelFds],
      watches: [],
      dispositions: this.st.dispositions.map(([s, d]) => [s, d]),
      children: [],
      work: [],
      nextTimerId: 1,
      ptype: "", // the sim's new process has no type until the model reports one
      pidCursor: newPidNs ? { fd: -1, pidMax: cursor.pidMax, wrapTo: cursor.wrapTo } : cursor,
      chaosMaxUs: this.st.chaosMaxUs,
    };
    const boot: UnitBoot = { role: "unit", runStartNs: this.runStartNs.toString(), fds: this.fds, image, entry: child, kernel, become: null };
    const bootFd = writeTmpJson(boot);
    let spawned: native.Spawned;
    try {
      spawned = spawnAtNextPid(cursor, newPidNs, {
        file: process.execPath,
        argv: childArgv(),
        envp: childEnv(bootFd),
        cloneFlags: nsFlags,
        keepFds: [...this.st.modelFds, ...this.runFdList(), cursor.fd, bootFd],
        keepCaps: (nsFlags & CLONE_NEWUSER) !== 0,
        ...(newPidNs ? { nsLastPid: threadBase(cursor.pidMax) } : {}),
      });
    } catch (err) {
      return this.sys("clone", args, toErrno(err));
    } finally {
      native.close(bootFd);
    }
    this.st.children.push({ pid: spawned.pid, pidfd: spawned.pidfd });
    this.watchChild(spawned.pidfd);
    return this.sys("clone", args, spawned.pid);
  }

  /**
   * Departure: a Node process has threads, so Linux refuses it unshare() of a user or mount
   * namespace (EINVAL); the namespaces are made at its next fork instead (cloneNow). What Unit's
   * child does between the two, forking and writing to a pipe, sees no difference.
   */
  *unshare(flags: number): Sys<Errno | undefined> {
    yield POINTS.unshare;
    this.st.unshared = (this.st.unshared ?? 0) | (flags & ~EXIT_SIGNAL_MASK);
    return this.sys("unshare", { flags }, undefined);
  }

  *waitpid(): Sys<WaitStatus | 0 | Errno> {
    yield POINTS.waitpid;
    return this.waitpidNow();
  }

  private waitpidNow(): WaitStatus | 0 | Errno {
    this.adoptOrphans();
    let result: WaitStatus | 0 | Errno = this.st.children.length === 0 ? errno("ECHILD") : 0;
    for (const [i, c] of this.st.children.entries()) {
      const w = native.pidfdWait(c.pidfd);
      if (w === null) continue;
      this.st.children.splice(i, 1);
      const unseen = this.childWatchers.get(c.pidfd);
      unseen?.stop();
      this.childWatchers.delete(c.pidfd);
      native.close(c.pidfd);
      // Its exit raised a SIGCHLD on Linux whether or not we had seen its pidfd: one reaped
      // before its watcher fired still raises it (pending again if we are in the handler).
      if (unseen !== undefined) this.raiseSigchld();
      const signal = w.how === "exited" ? null : w.status;
      this.send({ r: "reaped", ticket: this.ticket(), t: this.now(), child: c.pid, status: signal === null ? w.status : null, signal });
      result = signal === null ? { pid: c.pid, exited: w.status } : { pid: c.pid, signaled: signal as Signal };
      break;
    }
    return this.sys("waitpid", {}, result);
  }

  *kill(pid: Pid, sig: Signal): Sys<Errno | undefined> {
    yield POINTS.kill;
    return this.killNow(pid, sig);
  }

  private killNow(pid: Pid, sig: Signal): Errno | undefined {
    const args = { pid, sig };
    if (!Number.isInteger(pid) || pid <= 0) return this.sys("kill", args, errno("EINVAL"));
    // A signal to ourselves may end this very process: its record goes first.
    if (pid === process.pid) this.sys("kill", args, undefined);
    let ret: Errno | undefined;
    try {
      process.kill(pid, sig);
    } catch (err) {
      ret = toErrno(err);
    }
    if (pid !== process.pid || ret !== undefined) this.sys("kill", args, ret);
    return ret;
  }

  sigaction(sig: Signal, disposition: SignalDisposition): void {
    const shown = typeof disposition === "string" ? disposition : disposition.fn;
    const i = this.st.dispositions.findIndex(([s]) => s === sig);
    if (i >= 0) this.st.dispositions.splice(i, 1);
    this.st.dispositions.push([sig, disposition]);
    this.applyDisposition(sig, disposition);
    this.sys("sigaction", { sig, disposition: shown }, undefined);
  }

  /** Chaos mode's pause at a scheduling point (real/chaos.ts). */
  pause(): void {
    chaosPause(this.st.chaosMaxUs);
  }

  exit(status: number): never {
    this.pause();
    this.record({ kind: "exit", status, signal: null });
    process.exit(status);
  }

  abort(reason: string): never {
    this.record({ kind: "crash", reason });
    this.pause();
    // Its exit is reported by its reaper: the signal it dies of is the kernel's to say.
    native.abortNow();
  }

  // ---- sockets and fds ----

  socketpair(): readonly [Fd, Fd] | Errno {
    let pair: [number, number];
    try {
      pair = native.socketpair();
    } catch (err) {
      return this.sys("socketpair", {}, toErrno(err));
    }
    this.st.modelFds.push(pair[0], pair[1]);
    // The harness turns the two inodes into one pair id (the sim's `sock`).
    this.sys("socketpair", {}, { fds: pair, sock: native.fdInode(pair[0]), peer: native.fdInode(pair[1]) });
    return pair;
  }

  *sendmsg(fd: Fd, msg: OutMessage): Sys<Errno | undefined> {
    yield POINTS.sendmsg;
    return this.sendmsgNow(fd, msg);
  }

  private sendmsgNow(fd: Fd, msg: OutMessage): Errno | undefined {
    const ticket = this.ticket();
    const sock = this.inodeOf(fd);
    let ret: Errno | undefined;
    try {
      native.sendmsg(fd, Buffer.from(JSON.stringify(msg.data)), [...msg.fds]);
    } catch (err) {
      ret = toErrno(err);
    }
    this.record({ kind: "send", fd, sock, msg: msg.data, nfds: msg.fds.length, ret: traced(ret) }, ticket);
    return ret;
  }

  *recvmsg(fd: Fd): Sys<InMessage | Eof | Errno> {
    yield POINTS.recvmsg;
    return this.recvmsgNow(fd);
  }

  private recvmsgNow(fd: Fd): InMessage | Eof | Errno {
    let got: native.RecvResult | null;
    try {
      got = native.recvmsg(fd, MAX_DATAGRAM);
    } catch (err) {
      return this.sys("recvmsg", { fd }, toErrno(err));
    }
    if (got === null) return this.sys("recvmsg", { fd }, errno("EAGAIN"));
    if (got.eof) return this.sys("recvmsg", { fd }, EOF);
    if (got.truncated) throw new Error(`recvmsg: datagram on fd ${fd} truncated (over ${MAX_DATAGRAM} bytes or too many fds)`);
    const data = JSON.parse(got.data.toString("utf8")) as Json;
    this.st.modelFds.push(...got.fds);
    const credPid = got.cred?.pid ?? 0;
    // `from` (the sender's host pid) is filled in by the harness, which pairs sends and receives.
    this.record({ kind: "recv", fd, sock: this.inodeOf(fd), msg: data, fds: got.fds, credPid, from: 0 });
    return { data, fds: got.fds, credPid, credUid: got.cred?.uid ?? 0, credGid: got.cred?.gid ?? 0 };
  }

  *close(fd: Fd): Sys<Errno | undefined> {
    yield POINTS.close;
    return this.closeNow(fd);
  }

  private closeNow(fd: Fd): Errno | undefined {
    this.stopWatch(fd);
    const i = this.st.modelFds.indexOf(fd);
    if (i < 0) return this.sys("close", { fd }, errno("EBADF")); // never close Node's own fds
    this.st.modelFds.splice(i, 1);
    try {
      native.close(fd);
      return this.sys("close", { fd }, undefined);
    } catch (err) {
      return this.sys("close", { fd }, toErrno(err));
    }
  }

  pipe(): readonly [Fd, Fd] | Errno {
    let pp: [number, number];
    try {
      pp = native.pipe();
    } catch (err) {
      return this.sys("pipe", {}, toErrno(err));
    }
    this.st.modelFds.push(pp[0], pp[1]);
    this.sys("pipe", {}, { fds: pp, pipe: native.fdInode(pp[0]) });
    return pp;
  }

  *read(fd: Fd, max: number): Sys<number[] | Eof | Errno> {
    yield POINTS.read;
    let got: number[] | Eof | Errno;
    try {
      const bytes = native.read(fd, max);
      got = bytes.length === 0 && max > 0 ? EOF : bytes;
    } catch (err) {
      got = toErrno(err);
    }
    return this.sys("read", { fd, max }, got);
  }

  *write(fd: Fd, bytes: readonly number[]): Sys<number | Errno> {
    yield POINTS.write;
    let put: number | Errno;
    try {
      put = native.write(fd, [...bytes]);
    } catch (err) {
      put = toErrno(err);
    }
    return this.sys("write", { fd, bytes: [...bytes] }, put);
  }

  /** Blocks this Node process, as Unit's ppoll blocks main (its event loop runs nothing meanwhile). */
  *ppoll(fd: Fd, events: number, timeoutMs: number): Sys<number | Errno> {
    yield POINTS.ppoll;
    let ret: number | Errno;
    try {
      ret = native.ppoll(fd, events, timeoutMs);
    } catch (err) {
      ret = toErrno(err);
    }
    return this.sys("ppoll", { fd, events, timeoutMs }, ret);
  }

  watchRead(fd: Fd, onReadable: string): Errno | undefined {
    const args = { fd, fn: onReadable };
    if (!this.st.modelFds.includes(fd)) return this.sys("watchRead", args, errno("EBADF"));
    this.stopWatch(fd);
    this.st.watches.push([fd, onReadable]);
    this.startWatch(fd, onReadable);
    return this.sys("watchRead", args, undefined);
  }

  unwatchRead(fd: Fd): void {
    this.stopWatch(fd);
    this.sys("unwatchRead", { fd }, undefined);
  }

  // ---- shared memory ----

  mmapSharedCounter(initial: number): number {
    const fd = native.sharedCounterCreate(initial);
    this.st.modelFds.push(fd);
    return this.sys("mmapSharedCounter", { initial }, fd);
  }

  *sharedFetchAdd(handle: number, delta: number): Sys<number> {
    yield POINTS.sharedFetchAdd;
    return this.sharedFetchAddNow(handle, delta);
  }

  private sharedFetchAddNow(handle: number, delta: number): number {
    if (!this.st.modelFds.includes(handle)) this.abort(`SIGSEGV: shared word ${handle} is not mapped in this process`);
    return this.sys("sharedFetchAdd", { handle, delta }, native.sharedFetchAdd(handle, delta));
  }

  // ---- the event engine ----

  post(work: Continuation): void {
    this.st.work.push(work);
    this.scheduleDrain();
    this.sys("post", { fn: work.fn }, undefined);
  }

  setTimer(delayMs: number, work: Continuation): number {
    const id = this.st.nextTimerId++;
    this.armTimer(id, delayMs, work);
    return this.sys("setTimer", { delayMs, fn: work.fn }, id);
  }

  clearTimer(id: number): void {
    const t = this.timerHandles.get(id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timerHandles.delete(id);
      this.reportTimers();
    }
    this.sys("clearTimer", { id }, undefined);
  }

  timersNow(): number {
    return this.sys("timersNow", {}, Math.floor(this.now()));
  }

  // ---- credentials ----

  setgroups(gids: readonly Gid[]): Errno | undefined {
    return this.sys("setgroups", { gids: [...gids] }, this.attempt(() => native.setgroups([...gids])));
  }

  setgid(gid: Gid): Errno | undefined {
    return this.sys("setgid", { gid }, this.attempt(() => native.setgid(gid)));
  }

  setuid(uid: Uid): Errno | undefined {
    return this.sys("setuid", { uid }, this.attempt(() => native.setuid(uid)));
  }

  prctlNoNewPrivs(): Errno | undefined {
    return this.sys("prctlNoNewPrivs", {}, this.attempt(() => native.setNoNewPrivs()));
  }

  prctlChildSubreaper(): Errno | undefined {
    const ret = this.attempt(() => native.setChildSubreaper(true));
    if (ret === undefined) this.st.subreaper = true;
    return this.sys("prctlChildSubreaper", {}, ret);
  }

  *writeProcFile(pid: Pid, file: ProcMapFile, content: string): Sys<Errno | undefined> {
    yield POINTS.writeProcFile;
    return this.writeProcFileNow(pid, file, content);
  }

  private writeProcFileNow(pid: Pid, file: ProcMapFile, content: string): Errno | undefined {
    const args = { pid, file, content };
    // /proc is the run's own mount, so `pid` is read in the caller's pid namespace as Unit does.
    return this.sys("writeProcFile", args, this.attempt(() => writeFileSync(`/proc/${pid}/${file}`, content)));
  }

  // ---- files: the run's own cgroup2 mount (real/run-cgroup-ns.ts) and /proc/self/cgroup ----

  *mkdir(path: string, mode: number): Sys<Errno | undefined> {
    yield POINTS.mkdir;
    return this.sys("mkdir", { path, mode }, this.attempt(() => mkdirSync(path, { mode })));
  }

  *rmdir(path: string): Sys<Errno | undefined> {
    yield POINTS.rmdir;
    return this.sys("rmdir", { path }, this.attempt(() => rmdirSync(path)));
  }

  *writeFile(path: string, content: string): Sys<Errno | undefined> {
    yield POINTS.writeFile;
    return this.sys("writeFile", { path, content }, this.attempt(() => writeFileSync(path, content)));
  }

  readFile(path: string): string | Errno {
    let text: string | Errno;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      text = toErrno(err);
    }
    return this.sys("readFile", { path }, text);
  }

  // ---- the trace ----

  trace(event: ModelEvent): void {
    if (event.what === "type") this.st.ptype = event.type;
    this.record({ kind: "model", event });
  }

  /** A harness-posted continuation (the mailbox) or an internal error, recorded as the sim does. */
  record(body: TraceBody, ticket = this.ticket()): void {
    this.send({ r: "event", ticket, t: this.now(), nspid: process.pid, ptype: this.st.ptype, body });
  }

  send(record: WireRecord): void {
    native.sendmsg(this.fds.report, encodeRecord(record), [], { block: true });
  }

  ticket(): number {
    return native.sharedFetchAdd(this.fds.ticket, 1);
  }

  now(): number {
    return Number((process.hrtime.bigint() - this.runStartNs) / 1000n) / 1000;
  }

  // ---- internals ----

  private runFdList(): number[] {
    return [this.fds.report, this.fds.ticket, this.fds.mailbox, this.fds.script, this.fds.addon];
  }

  private attempt(call: () => void): Errno | undefined {
    try {
      call();
      return undefined;
    } catch (err) {
      return toErrno(err);
    }
  }

  private inodeOf(fd: Fd): number {
    try {
      return native.fdInode(fd);
    } catch {
      return 0;
    }
  }

  private sys<T extends Json | Errno | undefined | WaitStatus | readonly number[]>(call: string, args: Json, ret: T): T {
    this.record({ kind: "syscall", call, args, ret: traced(ret as Json | Errno | undefined) });
    return ret;
  }

  private startWatch(fd: Fd, fn: string): void {
    this.watchers.set(
      fd,
      native.watchReadable(fd, () => this.onReadable(fd, fn)),
    );
  }

  private stopWatch(fd: Fd): void {
    this.watchers.get(fd)?.stop();
    this.watchers.delete(fd);
    const i = this.st.watches.findIndex(([w]) => w === fd);
    if (i >= 0) this.st.watches.splice(i, 1);
  }

  private onReadable(fd: Fd, fn: string): void {
    this.dispatch({ fn, arg: fd });
  }

  /** One-shot: a readable pidfd means the child exited; SIGCHLD is raised once (coalesced). */
  private watchChild(pidfd: number): void {
    const watcher = native.watchReadable(pidfd, () => {
      watcher.stop();
      this.childWatchers.delete(pidfd);
      this.raiseSigchld();
      // Linux reparents a child's children before its pidfd turns readable (exit_notify).
      this.adoptOrphans();
    });
    this.childWatchers.set(pidfd, watcher);
  }

  /**
   * As a subreaper or a pid namespace's init (pid 1 here: the run's own init is not a Unit
   * process): the children Linux reparented to us that we did not clone get a pidfd and
   * a watch, so they are waited for and raise SIGCHLD as our own do. Orphans are seen when a
   * child's exit is seen and at waitpid (never by waitid(P_ALL), which would steal libuv's
   * children: linux-notes.md, pitfall 8). One orphaned by a deeper descendant's exit while our
   * child lives is seen only then: the model's processes two levels down never fork.
   */
  private adoptOrphans(): void {
    if (this.st.subreaper !== true && process.pid !== 1) return;
    for (const pid of childrenOfSelf()) {
      if (this.st.children.some((c) => c.pid === pid)) continue;
      let pidfd: number;
      try {
        pidfd = native.pidfdOpen(pid);
      } catch {
        continue; // gone already: not ours to reap (only we reap our children, so it cannot be)
      }
      this.st.children.push({ pid, pidfd });
      this.watchChild(pidfd);
    }
  }

  private raiseSigchld(): void {
    if (this.sigchldPending) return;
    this.sigchldPending = true;
    setImmediate(() => {
      this.sigchldPending = false;
      this.deliver(SIGCHLD);
    });
  }

  private deliver(sig: Signal): void {
    const d = this.st.dispositions.find(([s]) => s === sig)?.[1] ?? "default";
    if (typeof d === "object") {
      this.record({ kind: "signal", sig, action: "handler" });
      this.dispatch({ fn: d.fn, arg: sig });
      return;
    }
    // Only SIGCHLD reaches here with no handler: its default action is to ignore it.
    this.record({ kind: "signal", sig, action: "ignore" });
  }

  private applyDisposition(sig: Signal, d: SignalDisposition): void {
    if (sig === SIGCHLD) return; // raised from pidfds, see raiseSigchld
    const name = signalName(sig);
    const old = this.signalListeners.get(sig);
    if (old !== undefined) process.removeListener(name, old);
    this.signalListeners.delete(sig);
    if (d === "default") return; // Node's own default for these signals is the kernel's
    const listener = typeof d === "object" ? () => this.deliver(sig) : () => this.record({ kind: "signal", sig, action: "ignore" });
    process.on(name, listener);
    this.signalListeners.set(sig, listener);
  }

  private armTimer(id: number, delayMs: number, work: Continuation): void {
    const handle = setTimeout(() => {
      this.timerHandles.delete(id);
      this.reportTimers();
      this.dispatch(work);
    }, delayMs);
    this.timerHandles.set(id, handle);
    this.reportTimers();
  }

  private reportTimers(): void {
    this.send({ r: "timers", ticket: this.ticket(), pending: this.timerHandles.size });
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const work = this.st.work.shift();
      if (work !== undefined) this.dispatch(work);
      if (this.st.work.length > 0) this.scheduleDrain();
    });
  }
}


// The Kernel seam as the simulator implements it: one SimKernel per process, each call
// acting on behalf of that process and recorded in the trace.

import type {
  Continuation,
  Eof,
  Errno,
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
import { CLONE_NEWPID, CLONE_NEWUSER, EOF, errno, isErrno, POINTS, ProcessGone, SIGABRT, SIGKILL, SIGSEGV } from "../lifecycle/kernel.ts";
import { procCgroupText } from "./cgroups.ts";
import { FdTable } from "./fds.ts";
import { copyPlain } from "../lifecycle/copy.ts";
import { clonePlainNamespaces, PRIVILEGED_NS_FLAGS, unsharePlainNamespaces } from "./namespaces.ts";
import { Pipe, PipeEnd, pipeCloseSeenElsewhere, pipeRead, pipeRevents, pipeWrite } from "./pipes.ts";
import { allocatePids, PidNamespace, pidIn, registerPids } from "./pids.ts";
import { SimProcess } from "./process.ts";
import { PollTimeoutDue, ProcessTimerDue } from "./due.ts";
import { MAX_FDS_PER_MESSAGE, receiveDatagram, releaseSeenElsewhere, sendDatagram, SocketEnd, type Datagram } from "./sockets.ts";
import { adoptNewProcess, deliverSignal, die, reap, sendSignal } from "./tasks.ts";
import {
  capable,
  copyCreds,
  mayCreateUserns,
  setgid as credSetgid,
  setgroups as credSetgroups,
  setuid as credSetuid,
  UserNamespace,
  viewId,
  writeIdMap,
  writeSetgroups,
} from "./userns.ts";
import type { World } from "./world.ts";

const KNOWN_CLONE_FLAGS = PRIVILEGED_NS_FLAGS | CLONE_NEWUSER;
/** The low byte of clone flags is the exit signal (SIGCHLD); it is always SIGCHLD here. */
const EXIT_SIGNAL_MASK = 0xff;

/**
 * ProcessGone without a stack trace: it is control flow that only the dispatcher catches,
 * and capturing the model's deep stack cost more than the rest of an exit.
 */
function gone(how: ProcessGone["how"], detail: string): ProcessGone {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ProcessGone(how, detail);
  } finally {
    Error.stackTraceLimit = limit;
  }
}


/** How a return value appears in the trace. */
function traced(ret: Errno | undefined | Json): Json {
  if (ret === undefined) return null;
  if (isErrno(ret)) return ret.errno;
  return ret;
}

export class SimKernel implements Kernel {
  constructor(
    private readonly world: World,
    private readonly proc: SimProcess,
  ) {}

  // ---- identity ----

  getpid(): Pid {
    this.live();
    return this.sys("getpid", {}, this.proc.nsPid);
  }

  getppid(): Pid {
    this.live();
    const parent = this.proc.parent;
    // The host's init is pid 1 in the root namespace and invisible from any other.
    const ppid = parent === null ? (this.proc.pidNs.parent === null ? 1 : 0) : pidIn(parent.pids, this.proc.pidNs);
    return this.sys("getppid", {}, ppid);
  }

  geteuid(): Uid {
    this.live();
    return this.sys("geteuid", {}, viewId(this.proc.creds.userns, "uid", this.proc.creds.euid));
  }

  getegid(): Gid {
    this.live();
    return this.sys("getegid", {}, viewId(this.proc.creds.userns, "gid", this.proc.creds.egid));
  }

  // ---- processes ----

  *clone(flags: number, image: Json, child: Continuation): Sys<Pid | Errno> {
    yield POINTS.clone;
    return this.afterCall(this.cloneNow(flags, image, child));
  }

  private cloneNow(flags: number, image: Json, child: Continuation): Pid | Errno {
    this.live();
    const args = { flags, child: child.fn };
    const faulted = this.world.faults.clone(this.proc);
    if (faulted !== null) return this.sys("clone", args, errno(faulted));
    const result = this.doClone(flags, image, child);
    return this.sys("clone", args, result);
  }

  private doClone(flags: number, image: Json, first: Continuation): Pid | Errno {
    const { world, proc } = this;
    const nsFlags = flags & ~EXIT_SIGNAL_MASK;
    if ((nsFlags & ~KNOWN_CLONE_FLAGS) !== 0) return errno("EINVAL");
    const newUser = (nsFlags & CLONE_NEWUSER) !== 0;
    // Namespaces other than user need CAP_SYS_ADMIN, which a new userns grants its child.
    if ((nsFlags & PRIVILEGED_NS_FLAGS) !== 0 && !newUser && !capable(proc.creds, proc.creds.userns)) return errno("EPERM");
    if (newUser && !mayCreateUserns(proc.creds)) return errno("EPERM");

    const creds = copyCreds(proc.creds);
    if (newUser) {
      creds.userns = new UserNamespace(world.inodes.allocate(), proc.creds.userns, proc.creds.euid, proc.creds.egid);
      creds.caps = true;
    }
    const pidNs =
      (nsFlags & CLONE_NEWPID) !== 0 ? new PidNamespace(world.inodes.allocate(), proc.childPidNs, world.config.limits, 1) : proc.childPidNs;
    const ns = clonePlainNamespaces(proc.ns, nsFlags, world.inodes);
    const links = allocatePids(pidNs);
    if (typeof links === "string") return errno(links);
    const hostPid = links[0]!.nr;
    registerPids(links, hostPid);
    const copied = world.program.copyImage?.(image) ?? copyPlain(image);
    const child = new SimProcess(hostPid, links, proc, copied, creds, ns, proc.fds.copy(), proc.signals.forkCopy());
    for (const [handle, word] of proc.shared) child.shared.set(handle, word); // MAP_SHARED survives fork
    child.cgroup = proc.cgroup;
    adoptNewProcess(world, child, first);
    return pidIn(links, proc.pidNs);
  }

  *unshare(flags: number): Sys<Errno | undefined> {
    yield POINTS.unshare;
    this.live();
    return this.afterCall(this.sys("unshare", { flags }, this.unshareNow(flags)));
  }

  /** unshare(2) of the namespaces the model uses, with clone's permission rules. */
  private unshareNow(flags: number): Errno | undefined {
    const { world, proc } = this;
    if ((flags & ~KNOWN_CLONE_FLAGS) !== 0) return errno("EINVAL");
    const newUser = (flags & CLONE_NEWUSER) !== 0;
    if ((flags & PRIVILEGED_NS_FLAGS) !== 0 && !newUser && !capable(proc.creds, proc.creds.userns)) return errno("EPERM");
    if (newUser && !mayCreateUserns(proc.creds)) return errno("EPERM");
    if (newUser) {
      proc.creds.userns = new UserNamespace(world.inodes.allocate(), proc.creds.userns, proc.creds.euid, proc.creds.egid);
      proc.creds.caps = true;
    }
    if ((flags & CLONE_NEWPID) !== 0) proc.pidNsForChildren = new PidNamespace(world.inodes.allocate(), proc.childPidNs, world.config.limits, 1);
    unsharePlainNamespaces(proc.ns, flags, world.inodes);
    return undefined;
  }

  *waitpid(): Sys<WaitStatus | 0 | Errno> {
    yield POINTS.waitpid;
    return this.afterCall(this.waitpidNow());
  }

  private waitpidNow(): WaitStatus | 0 | Errno {
    this.live();
    const { proc } = this;
    let result: WaitStatus | 0 | Errno;
    if (proc.children.size === 0) {
      result = errno("ECHILD");
    } else {
      let zombie: SimProcess | undefined;
      for (const c of proc.children) {
        if (c.status === "zombie") {
          zombie = c;
          break;
        }
      }
      if (zombie === undefined) {
        result = 0;
      } else {
        const pid = pidIn(zombie.pids, proc.pidNs);
        const exit = zombie.exit!;
        reap(this.world, proc, zombie);
        result = exit.signal !== null ? { pid, signaled: exit.signal } : { pid, exited: exit.status ?? 0 };
      }
    }
    return this.sys("waitpid", {}, result);
  }

  *kill(pid: Pid, sig: Signal): Sys<Errno | undefined> {
    yield POINTS.kill;
    return this.afterCall(this.killNow(pid, sig));
  }

  private killNow(pid: Pid, sig: Signal): Errno | undefined {
    this.live();
    const args = { pid, sig };
    if (!Number.isInteger(pid) || pid <= 0) return this.sys("kill", args, errno("EINVAL")); // no process groups here
    const target = this.visible(pid);
    if (target === undefined) return this.sys("kill", args, errno("ESRCH"));
    if (!this.mayKill(target)) return this.sys("kill", args, errno("EPERM"));
    this.sys("kill", args, undefined);
    sendSignal(this.world, target, sig, this.proc);
    return undefined;
  }

  /** kill_ok_by_cred. */
  private mayKill(target: SimProcess): boolean {
    const c = this.proc.creds;
    const t = target.creds;
    return c.euid === t.suid || c.euid === t.uid || c.uid === t.suid || c.uid === t.uid || capable(c, t.userns);
  }

  sigaction(sig: Signal, disposition: SignalDisposition): void {
    this.live();
    const shown = typeof disposition === "string" ? disposition : disposition.fn;
    if (sig === SIGKILL) {
      this.sys("sigaction", { sig, disposition: shown }, errno("EINVAL"));
      return;
    }
    this.proc.signals.setDisposition(sig, disposition);
    if (this.proc.signals.ignores(sig)) this.proc.signals.take(sig); // SIG_IGN discards a pending one
    this.sys("sigaction", { sig, disposition: shown }, undefined);
  }

  /** The exit takes effect at the process's next step (the scheduler's "resume" of it). */
  exit(status: number): never {
    this.live();
    this.proc.pendingExit = { status, signal: null };
    throw gone("exit", `status ${status}`);
  }

  abort(reason: string): never {
    this.live();
    this.world.record(this.proc, { kind: "crash", reason });
    // glibc's abort(): a pid-namespace init survives its own SIGABRT, and the fallback
    // instruction (hlt on x86) then kills it with SIGSEGV, as the real backend shows.
    // The death takes effect at the process's next step, as an exit does.
    this.proc.pendingExit = { status: null, signal: this.proc.isNsInit ? SIGSEGV : SIGABRT };
    throw gone("abort", reason);
  }

  // ---- sockets and fds ----

  socketpair(): readonly [Fd, Fd] | Errno {
    this.live();
    const pair = this.world.sockets.create();
    const a = this.proc.fds.install(pair.ends[0], false);
    const b = this.proc.fds.install(pair.ends[1], false);
    this.sys("socketpair", {}, { fds: [a, b], sock: pair.id });
    return [a, b] as const;
  }

  *sendmsg(fd: Fd, msg: OutMessage): Sys<Errno | undefined> {
    yield POINTS.sendmsg;
    return this.afterCall(this.sendmsgNow(fd, msg));
  }

  private sendmsgNow(fd: Fd, msg: OutMessage): Errno | undefined {
    this.live();
    const { world, proc } = this;
    const end = this.socketAt(fd);
    const sock = isErrno(end) ? 0 : end.pair.id;
    const nfds = msg.fds.length;
    if (isErrno(end)) return this.sent(fd, sock, null, nfds, end);
    if (nfds > MAX_FDS_PER_MESSAGE) return this.sent(fd, sock, null, nfds, errno("EINVAL"));
    const files = [];
    for (const passed of msg.fds) {
      const entry = proc.fds.get(passed);
      if (entry === undefined) return this.sent(fd, sock, null, nfds, errno("EBADF"));
      files.push(entry.file);
    }
    // The queued copy is the sender's data frozen at send time; the trace shares it.
    const data = copyPlain(msg.data);
    // A full queue (EAGAIN) and a lost message need a live peer: a send to a closed peer
    // always fails with EPIPE (sendDatagram), and no fault is drawn for it.
    const faulted = end.peer.destroyed || end.pendingError !== null ? null : world.faults.send(proc, fd, sock);
    if (faulted !== null) return this.sent(fd, sock, data, nfds, errno(faulted));
    const sender = { hostPid: proc.hostPid, pids: proc.pids, uid: proc.creds.uid, gid: proc.creds.gid };
    const datagram: Datagram = { data, files, sender };
    const failed = sendDatagram(end, datagram, world.config.socketQueueMax);
    return this.sent(fd, sock, data, nfds, failed === undefined ? undefined : errno(failed));
  }

  /**
   * Records a sendmsg and returns its result. A method, not a closure in sendmsg: tsx
   * names every such closure with Object.defineProperty, ~2% of a run in the profile.
   */
  private sent(fd: Fd, sock: number, data: Json, nfds: number, ret: Errno | undefined): Errno | undefined {
    this.world.trace.send(this.proc, fd, sock, data, nfds, traced(ret));
    this.proc.position?.results.push(traced(ret));
    return ret;
  }

  *recvmsg(fd: Fd): Sys<InMessage | Eof | Errno> {
    yield POINTS.recvmsg;
    return this.afterCall(this.recvmsgNow(fd));
  }

  private recvmsgNow(fd: Fd): InMessage | Eof | Errno {
    this.live();
    const { world, proc } = this;
    const end = this.socketAt(fd);
    if (isErrno(end)) return this.sys("recvmsg", { fd }, end);
    const d = receiveDatagram(end);
    if (d === "EOF") return this.sys("recvmsg", { fd }, EOF);
    if (d === "EAGAIN" || d === "ECONNRESET") return this.sys("recvmsg", { fd }, errno(d));
    // MSG_CMSG_CLOEXEC: passed fds arrive close-on-exec. Install before dropping the
    // in-flight reference so the file never reaches zero references in between.
    const fds = d.files.map((f) => proc.fds.install(f, true));
    for (const f of d.files) f.release();
    const credPid = pidIn(d.sender.pids, proc.pidNs);
    world.trace.recv(proc, fd, end.pair.id, d.data, fds, credPid, d.sender.hostPid);
    proc.position?.results.push([d.data, fds, credPid, d.sender.uid, d.sender.gid]);
    return {
      data: copyPlain(d.data),
      fds,
      credPid,
      credUid: viewId(proc.creds.userns, "uid", d.sender.uid),
      credGid: viewId(proc.creds.userns, "gid", d.sender.gid),
    };
  }

  /**
   * A point only when another process can tell (Kernel.close): the release of an end whose
   * peer another process holds. That release is two points, as unix_release_sock is two steps
   * under two locks: the end dies (a send to it is EPIPE), then its peer is shut down (EOF)
   * and, if data was left unread, reset (ECONNRESET). Sends and receives fall in between.
   */
  *close(fd: Fd): Sys<Errno | undefined> {
    if (!this.closeIsSeen(fd)) return this.closeNow(fd, false);
    yield POINTS.close;
    const ret = this.closeNow(fd, true);
    const dying = this.proc.releasing;
    if (dying === null) return this.afterCall(ret);
    yield POINTS.close;
    this.proc.releasing = null;
    dying.finishRelease();
    return this.afterCall(ret);
  }

  private closeIsSeen(fd: Fd): boolean {
    const file = this.proc.fds.get(fd)?.file;
    if (file instanceof PipeEnd) return pipeCloseSeenElsewhere(file, this.proc.fds);
    return file instanceof SocketEnd && file.references === 1 && releaseSeenElsewhere(file, this.proc.fds);
  }

  /** Closes fd; with `split`, an end whose release others see is left dead in `proc.releasing`. */
  private closeNow(fd: Fd, split: boolean): Errno | undefined {
    this.live();
    this.proc.watches.delete(fd);
    const file = this.proc.fds.detach(fd);
    if (file === undefined) return this.sys("close", { fd }, errno("EBADF"));
    if (!split || !(file instanceof SocketEnd)) file.release();
    else if (file.dropReference()) {
      if (releaseSeenElsewhere(file, this.proc.fds)) this.proc.releasing = file;
      else file.finishRelease();
    }
    return this.sys("close", { fd }, undefined);
  }

  pipe(): readonly [Fd, Fd] | Errno {
    this.live();
    const pipe = new Pipe(this.world.sockets.allocateInode());
    const r = this.proc.fds.install(pipe.ends[0], false);
    const w = this.proc.fds.install(pipe.ends[1], false);
    this.sys("pipe", {}, { fds: [r, w], pipe: pipe.inode });
    return [r, w] as const;
  }

  *read(fd: Fd, max: number): Sys<number[] | Eof | Errno> {
    yield POINTS.read;
    this.live();
    const end = this.pipeAt(fd);
    const got = isErrno(end) ? end : pipeRead(end, max);
    return this.afterCall(this.sys("read", { fd, max }, typeof got === "string" ? (got === "EOF" ? EOF : errno(got)) : got));
  }

  *write(fd: Fd, bytes: readonly number[]): Sys<number | Errno> {
    yield POINTS.write;
    this.live();
    const end = this.pipeAt(fd);
    const put = isErrno(end) ? end : pipeWrite(end, bytes);
    return this.afterCall(this.sys("write", { fd, bytes: [...bytes] }, typeof put === "string" ? errno(put) : put));
  }

  /**
   * Checks the fd at the call; with nothing ready, sleeps: the process is offered again only
   * once the fd is ready, its timeout fired or SIGINT/SIGTERM is pending with a handler
   * (scheduler.ts), and the wake-up is a step of its own.
   */
  *ppoll(fd: Fd, events: number, timeoutMs: number): Sys<number | Errno> {
    yield POINTS.ppoll;
    this.live();
    const { world, proc } = this;
    const args = { fd, events, timeoutMs };
    const end = this.pipeAt(fd);
    if (isErrno(end)) return this.afterCall(this.sys("ppoll", args, end));
    let revents = pipeRevents(end, events);
    if (revents === 0 && timeoutMs > 0 && !proc.pollInterrupted()) {
      end.pipe.addWatcher(proc);
      proc.polling = { fd, events, timer: world.clock.schedule(timeoutMs, new PollTimeoutDue(proc)), timedOut: false };
      proc.touch();
      yield POINTS.ppoll;
      this.live();
      const wait = proc.polling;
      proc.polling = null;
      if (!wait.timedOut) world.clock.cancel(wait.timer);
      revents = pipeRevents(end, events);
      if (revents === 0 && !wait.timedOut) return this.afterCall(this.sys("ppoll", args, errno("EINTR")));
    }
    return this.afterCall(this.sys("ppoll", args, revents));
  }

  watchRead(fd: Fd, onReadable: string): Errno | undefined {
    this.live();
    const args = { fd, fn: onReadable };
    const entry = this.proc.fds.get(fd);
    if (entry === undefined) return this.sys("watchRead", args, errno("EBADF"));
    if (entry.file.kind !== "socket") return this.sys("watchRead", args, errno("EPERM")); // epoll refuses /dev/null
    if (entry.file instanceof SocketEnd) entry.file.addWatcher(this.proc);
    this.proc.watches.set(fd, onReadable);
    return this.sys("watchRead", args, undefined);
  }

  unwatchRead(fd: Fd): void {
    this.live();
    this.proc.watches.delete(fd);
    this.sys("unwatchRead", { fd }, undefined);
  }

  // ---- shared memory ----

  mmapSharedCounter(initial: number): number {
    this.live();
    const handle = this.world.sharedWords.length + 1;
    const word = { value: initial };
    this.world.sharedWords.push(word);
    this.proc.shared.set(handle, word);
    return this.sys("mmapSharedCounter", { initial }, handle);
  }

  *sharedFetchAdd(handle: number, delta: number): Sys<number> {
    yield POINTS.sharedFetchAdd;
    return this.afterCall(this.sharedFetchAddNow(handle, delta));
  }

  private sharedFetchAddNow(handle: number, delta: number): number {
    this.live();
    const word = this.proc.shared.get(handle);
    if (word === undefined) this.abort(`SIGSEGV: shared word ${handle} is not mapped in this process`);
    const before = word.value;
    word.value = before + delta;
    return this.sys("sharedFetchAdd", { handle, delta }, before);
  }

  // ---- the event engine ----

  post(work: Continuation): void {
    this.live();
    this.proc.work.push(work);
    this.sys("post", { fn: work.fn }, undefined);
  }

  setTimer(delayMs: number, work: Continuation): number {
    this.live();
    const proc = this.proc;
    const id = this.world.clock.schedule(delayMs, new ProcessTimerDue(proc));
    proc.timers.set(id, work);
    return this.sys("setTimer", { delayMs, fn: work.fn }, id);
  }

  clearTimer(id: number): void {
    this.live();
    const proc = this.proc;
    if (proc.timers.delete(id)) {
      this.world.clock.cancel(id);
      const due = proc.dueTimers.indexOf(id);
      if (due >= 0) proc.dueTimers.splice(due, 1);
    }
    this.sys("clearTimer", { id }, undefined);
  }

  timersNow(): number {
    this.live();
    return this.sys("timersNow", {}, this.world.clock.now());
  }

  // ---- credentials ----

  setgroups(gids: readonly Gid[]): Errno | undefined {
    this.live();
    return this.sys("setgroups", { gids: [...gids] }, credSetgroups(this.proc.creds, gids));
  }

  setgid(gid: Gid): Errno | undefined {
    this.live();
    return this.sys("setgid", { gid }, credSetgid(this.proc.creds, gid));
  }

  setuid(uid: Uid): Errno | undefined {
    this.live();
    return this.sys("setuid", { uid }, credSetuid(this.proc.creds, uid));
  }

  prctlNoNewPrivs(): Errno | undefined {
    this.live();
    this.proc.creds.noNewPrivs = true;
    return this.sys("prctlNoNewPrivs", {}, undefined);
  }

  prctlChildSubreaper(): Errno | undefined {
    this.live();
    this.proc.subreaper = true;
    return this.sys("prctlChildSubreaper", {}, undefined);
  }

  *writeProcFile(pid: Pid, file: ProcMapFile, content: string): Sys<Errno | undefined> {
    yield POINTS.writeProcFile;
    return this.afterCall(this.writeProcFileNow(pid, file, content));
  }

  private writeProcFileNow(pid: Pid, file: ProcMapFile, content: string): Errno | undefined {
    this.live();
    const { world, proc } = this;
    const args = { pid, file, content };
    const target = this.visible(pid);
    if (target === undefined) return this.sys("writeProcFile", args, errno("ENOENT"));
    if (file === "setgroups" && world.config.noSetgroupsFile) return this.sys("writeProcFile", args, errno("ENOENT"));
    const faulted = world.faults.mapWrite(proc, pid, file);
    if (faulted !== null) return this.sys("writeProcFile", args, errno(faulted));
    const userns = target.creds.userns;
    const result =
      file === "setgroups"
        ? writeSetgroups(proc.creds, userns, content)
        : writeIdMap(proc.creds, userns, file === "uid_map" ? "uid" : "gid", content, {
            noSetgroupsFile: world.config.noSetgroupsFile,
          });
    return this.sys("writeProcFile", args, result);
  }

  // ---- the trace ----

  trace(event: ModelEvent): void {
    this.live();
    if (event.what === "type") this.proc.ptype = event.type;
    // Not copied: every caller (the k.trace calls in lifecycle/) builds the event as a fresh
    // literal in the call and keeps no reference to it, so nothing mutates it once recorded.
    this.world.trace.model(this.proc, event);
  }

  // ---- files: the cgroup2 mount and /proc/self/cgroup (sim/cgroups.ts) ----

  *mkdir(path: string, mode: number): Sys<Errno | undefined> {
    yield POINTS.mkdir;
    this.live();
    const made = this.world.cgroups.mkdir(path);
    return this.afterCall(this.sys("mkdir", { path, mode }, made === undefined ? undefined : errno(made)));
  }

  *rmdir(path: string): Sys<Errno | undefined> {
    yield POINTS.rmdir;
    this.live();
    const removed = this.world.cgroups.rmdir(path, this.world.sortedProcs());
    return this.afterCall(this.sys("rmdir", { path }, removed === undefined ? undefined : errno(removed)));
  }

  *writeFile(path: string, content: string): Sys<Errno | undefined> {
    yield POINTS.writeFile;
    this.live();
    const written = this.world.cgroups.writeProcs(path, content, (pid) => this.visible(pid));
    return this.afterCall(this.sys("writeFile", { path, content }, written === undefined ? undefined : errno(written)));
  }

  readFile(path: string): string | Errno {
    this.live();
    return this.sys("readFile", { path }, path === "/proc/self/cgroup" ? procCgroupText(this.proc) : errno("ENOENT"));
  }

  // ---- helpers ----

  /** A process by pid as seen from the caller's pid namespace (live or zombie). */
  private visible(pid: Pid): SimProcess | undefined {
    const host = this.proc.pidNs.members.get(pid);
    return host === undefined ? undefined : this.world.proc(host);
  }

  private pipeAt(fd: Fd): PipeEnd | Errno {
    const entry = this.proc.fds.get(fd);
    if (entry === undefined) return errno("EBADF");
    if (!(entry.file instanceof PipeEnd)) return errno("EINVAL"); // the model polls and reads only its pipes
    return entry.file;
  }

  private socketAt(fd: Fd): SocketEnd | Errno {
    const entry = this.proc.fds.get(fd);
    if (entry === undefined) return errno("EBADF");
    if (!(entry.file instanceof SocketEnd)) return errno("EINVAL"); // ENOTSOCK
    return entry.file;
  }

  /** Records a syscall and returns its result unchanged. */
  private sys<T extends Json | Errno | undefined | WaitStatus | readonly number[]>(call: string, args: Json, ret: T): T {
    this.world.trace.syscall(this.proc, call, args, traced(ret as Json | Errno | undefined));
    this.proc.position?.results.push(traced(ret as Json | Errno | undefined));
    return ret;
  }

  /** A call made by a process that is already gone unwinds it again. */
  private live(): void {
    if (!this.proc.alive) throw gone("exit", "process is gone");
  }

  /**
   * The return to user mode after a call that was a scheduling point: a SIGKILL queued since
   * (by another process, or the call itself) kills the process here, so the call completes
   * but no code of the process runs after it (get_signal on exit_to_user_mode).
   */
  private afterCall<T>(ret: T): T {
    if (!this.proc.signals.isPending(SIGKILL)) return ret;
    deliverSignal(this.world, this.proc, SIGKILL);
    throw gone("exit", `killed by signal ${SIGKILL}`);
  }
}

export function kernelFor(world: World, proc: SimProcess): Kernel {
  const kernel = proc.kernel ?? new SimKernel(world, proc);
  proc.kernel = kernel;
  return kernel;
}

/** A fresh fd table for a spawned process. */
export function stdioTable(): FdTable {
  return FdTable.withStdio();
}

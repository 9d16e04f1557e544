// The simulated kernel's seam, part 3 of 4: sockets, pipes and fds (socketpair, sendmsg,
// recvmsg, close, pipe, read, write, ppoll, epoll watches).

import type { Eof, Errno, Fd, InMessage, Json, OutMessage, Sys } from "../lifecycle/kernel.ts";
import { EOF, errno, isErrno, POINTS } from "../lifecycle/kernel.ts";
import { copyMessage } from "./process.ts";
import { Pipe, PipeEnd, pipeCloseSeenElsewhere, pipeRead, pipeRevents, pipeWrite } from "./pipes.ts";
import { pidIn } from "./pids.ts";
import { PollTimeoutDue } from "./due.ts";
import {
  MAX_FDS_PER_MESSAGE,
  receiveDatagram,
  releaseSeenElsewhere,
  sendDatagram,
  SocketEnd,
  type Datagram,
} from "./sockets.ts";
import { viewId } from "./userns.ts";
import { SimProcessCalls } from "./syscalls-processes.ts";
import { traced } from "./syscall-base.ts";

export class SimFileCalls extends SimProcessCalls {
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
    const data = copyMessage(world.program, msg.data);
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
      data: copyMessage(world.program, d.data),
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
}

// The real kernel's seam, part 3 of 4: sockets, pipes and fds (socketpair, sendmsg,
// recvmsg, close, pipe, read, write, ppoll, readiness watches).


import type { Eof, Errno, Fd, InMessage, Json, OutMessage, Sys } from "../lifecycle/kernel.ts";
import { EOF, errno, POINTS } from "../lifecycle/kernel.ts";
import * as native from "./native.ts";
import { toErrno, traced } from "./kernel-base.ts";
import { RealProcessCalls } from "./kernel-processes.ts";

/** Largest port message we read (SEQPACKET datagrams are bounded by the socket buffer). */
const MAX_DATAGRAM = 256 * 1024;

export class RealFileCalls extends RealProcessCalls {
  protected readonly watchers = new Map<number, native.Watcher>();

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

  protected startWatch(fd: Fd, fn: string): void {
    this.watchers.set(
      fd,
      native.watchReadable(fd, () => this.onReadable(fd, fn)),
    );
  }

  protected stopWatch(fd: Fd): void {
    this.watchers.get(fd)?.stop();
    this.watchers.delete(fd);
    const i = this.st.watches.findIndex(([w]) => w === fd);
    if (i >= 0) this.st.watches.splice(i, 1);
  }

  protected onReadable(fd: Fd, fn: string): void {
    this.dispatch({ fn, arg: fd });
  }

}

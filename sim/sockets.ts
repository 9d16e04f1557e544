// AF_UNIX SOCK_SEQPACKET socket pairs.
//
// Writing on one end queues a whole datagram on the OTHER end, where any holder of that
// end may receive it (FIFO). Passed fds travel as references to open files and become new
// fds only at recvmsg. Credentials are captured at send and translated at receive.

import type { Json } from "../lifecycle/kernel.ts";
import type { FdTable, OpenFile } from "./fds.ts";
import type { PidLink } from "./pids.ts";

export const MAX_FDS_PER_MESSAGE = 2;

/** What SCM_CREDENTIALS captures of the sender: its struct pid and real uid/gid. */
export interface SenderCreds {
  readonly hostPid: number;
  readonly pids: readonly PidLink[];
  readonly uid: number;
  readonly gid: number;
}

export interface Datagram {
  readonly data: Json;
  readonly files: readonly OpenFile[];
  readonly sender: SenderCreds;
}

/** A process whose offered events (scheduler.ts) depend on whether a socket end is readable. */
export interface ReadinessWatcher {
  touch(): void;
}

export class SocketEnd implements OpenFile {
  readonly kind = "socket" as const;
  /**
   * Processes that watched this end for reading (kept once added: a stale one only lists its
   * events again), told when its readiness may have changed.
   */
  private readonly watchers: ReadinessWatcher[] = [];
  /** Datagrams waiting to be received on this end. */
  readonly queue: Datagram[] = [];
  private refs = 0;
  /** SOCK_DEAD: its last reference went; a send to it is EPIPE. */
  destroyed = false;
  /**
   * sk_err: ECONNRESET once the peer end was released with datagrams it never read
   * (unix_release_sock); the next recvmsg or sendmsg on this end returns it, once, before
   * anything else.
   */
  pendingError: "ECONNRESET" | null = null;
  /** sk_shutdown = SHUTDOWN_MASK, set when the peer's release finished: EOF once the queue is empty. */
  hungUp = false;

  constructor(
    readonly pair: SocketPair,
    readonly index: 0 | 1,
    /** sockfs inode, shown as socket:[inode] in /proc/<pid>/fd. */
    readonly inode: number,
  ) {}

  get peer(): SocketEnd {
    return this.pair.ends[this.index === 0 ? 1 : 0];
  }

  /** References: fds in any process, and copies in flight inside queued datagrams. */
  get references(): number {
    return this.refs;
  }

  retain(): void {
    this.refs++;
  }

  /** Drops one reference; the last one releases the end in one go (both halves). */
  release(): void {
    if (this.dropReference()) this.finishRelease();
  }

  /**
   * unix_release_sock's first half, on the last reference: the end is dead (sock_orphan), so a
   * send to it is EPIPE from now on. True when that happened; `finishRelease` is then due.
   */
  dropReference(): boolean {
    this.refs--;
    if (this.refs > 0 || this.destroyed) return false;
    this.destroyed = true;
    return true;
  }

  /**
   * unix_release_sock's second half: the peer gets SHUTDOWN_MASK (EOF once its queue is empty)
   * and, when this end still held unread datagrams, ECONNRESET; then the queue is flushed.
   */
  finishRelease(): void {
    const peer = this.peer;
    // Unreceived datagrams die with the end, and so do the references they carried.
    const orphaned = this.queue.splice(0);
    if (!peer.destroyed) {
      peer.hungUp = true;
      if (orphaned.length > 0) peer.pendingError = "ECONNRESET";
    }
    this.changed();
    peer.changed();
    for (const d of orphaned) for (const f of d.files) f.release();
  }

  /** `watcher` watches this end for reading (epoll_ctl ADD). */
  addWatcher(watcher: ReadinessWatcher): void {
    if (!this.watchers.includes(watcher)) this.watchers.push(watcher);
  }

  /** Its queue, hang-up or pending error changed: whoever watches it lists its events again. */
  changed(): void {
    for (const w of this.watchers) w.touch();
  }

  /** Level-triggered readiness: a datagram is queued, the peer hung up (EOF), or an error waits. */
  readable(): boolean {
    return this.queue.length > 0 || this.hungUp || this.pendingError !== null;
  }
}

/** Whether a process other than the holder of `table` holds the peer of `end` (and so sees its release). */
export function releaseSeenElsewhere(end: SocketEnd, table: FdTable): boolean {
  const peer = end.peer;
  return !peer.destroyed && peer.references > table.countOf(peer);
}

export class SocketPair {
  readonly ends: readonly [SocketEnd, SocketEnd];
  constructor(
    readonly id: number,
    inodeOf: (index: 0 | 1) => number,
  ) {
    this.ends = [new SocketEnd(this, 0, inodeOf(0)), new SocketEnd(this, 1, inodeOf(1))];
  }
}

export class SocketRegistry {
  private nextPairId = 1;
  private nextInode = 40000;

  constructor(readonly queueMax: number) {}

  create(): SocketPair {
    return new SocketPair(this.nextPairId++, () => this.nextInode++);
  }

  /** A pipe's inode, from the same counter (pipefs and sockfs inodes differ on Linux; here only uniqueness matters). */
  allocateInode(): number {
    return this.nextInode++;
  }
}

/**
 * Queues a datagram for the peer of `end`. The caller has validated the fds; `data` must
 * already be the sender-independent copy.
 */
export function sendDatagram(end: SocketEnd, datagram: Datagram, queueMax: number): "EPIPE" | "EAGAIN" | "ECONNRESET" | undefined {
  const reset = takeError(end);
  if (reset !== null) return reset;
  const target = end.peer;
  if (target.destroyed) return "EPIPE";
  if (target.queue.length >= queueMax) return "EAGAIN";
  for (const f of datagram.files) f.retain();
  target.queue.push(datagram);
  target.changed();
  return undefined;
}

/**
 * Dequeues the next datagram of `end`. The caller installs its files as new fds and then
 * drops the in-flight references with `release`.
 */
export function receiveDatagram(end: SocketEnd): Datagram | "EOF" | "EAGAIN" | "ECONNRESET" {
  const reset = takeError(end);
  if (reset !== null) return reset;
  const d = end.queue.shift();
  if (d !== undefined) {
    end.changed();
    return d;
  }
  return end.hungUp ? "EOF" : "EAGAIN";
}

/** sock_error: the pending error, consumed. */
function takeError(end: SocketEnd): "ECONNRESET" | null {
  const e = end.pendingError;
  if (e === null) return null;
  end.pendingError = null;
  end.changed();
  return e;
}

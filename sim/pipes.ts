// Anonymous pipes (pipe(2)): a byte stream from a write end to a read end, what Unit 1.35 passes
// a pid-isolated prototype's host pid back to main with (nxt_process.c, b0e2d9d0), and the
// readiness ppoll(2) reports of them.

import { POLLERR, POLLHUP, POLLIN, POLLOUT } from "../lifecycle/kernel.ts";
import type { FdTable, OpenFile } from "./fds.ts";
import type { ReadinessWatcher } from "./sockets.ts";

/** Linux's default pipe capacity (16 pages). */
export const PIPE_CAPACITY = 65536;

/** The pipe itself (pipe_inode_info): its buffer and how many open files each end has. */
export class Pipe {
  /** Bytes written and not yet read, oldest first. */
  readonly buffer: number[] = [];
  readers = 0;
  writers = 0;
  readonly ends: readonly [PipeEnd, PipeEnd];
  /** Processes polling either end, told when its readiness may have changed (kept once added). */
  private readonly watchers: ReadinessWatcher[] = [];

  constructor(
    /** pipefs inode, shown as pipe:[inode] in /proc/<pid>/fd (both ends share it). */
    readonly inode: number,
  ) {
    this.ends = [new PipeEnd(this, false), new PipeEnd(this, true)];
  }

  addWatcher(watcher: ReadinessWatcher): void {
    if (!this.watchers.includes(watcher)) this.watchers.push(watcher);
  }

  changed(): void {
    for (const w of this.watchers) w.touch();
  }
}

/** One end's open file: its references are fds (and in-flight copies); its last one closes the end. */
export class PipeEnd implements OpenFile {
  readonly kind = "pipe" as const;

  constructor(
    readonly pipe: Pipe,
    readonly writeEnd: boolean,
  ) {}

  retain(): void {
    if (this.writeEnd) this.pipe.writers++;
    else this.pipe.readers++;
  }

  release(): void {
    if (this.writeEnd) this.pipe.writers--;
    else this.pipe.readers--;
    if ((this.writeEnd ? this.pipe.writers : this.pipe.readers) === 0) this.pipe.changed();
  }
}

/**
 * Whether closing the caller's fd of `end` is seen by another process (Kernel.close: then a
 * point): it is the end's last open reference and another process holds the other end, which
 * then sees POLLHUP and EOF (the write end's) or POLLERR and EPIPE (the read end's).
 */
export function pipeCloseSeenElsewhere(end: PipeEnd, table: FdTable): boolean {
  const { pipe } = end;
  const mine = end.writeEnd ? pipe.writers : pipe.readers;
  const other = pipe.ends[end.writeEnd ? 0 : 1];
  const theirs = (end.writeEnd ? pipe.readers : pipe.writers) - table.countOf(other);
  return mine === 1 && theirs > 0;
}

/** pipe_poll: what `end` reports for `events` (POLLERR and POLLHUP are always reported). */
export function pipeRevents(end: PipeEnd, events: number): number {
  const { pipe } = end;
  let ready = 0;
  if (end.writeEnd) {
    if (pipe.readers === 0) ready |= POLLERR;
    else if (pipe.buffer.length < PIPE_CAPACITY) ready |= POLLOUT;
  } else {
    if (pipe.buffer.length > 0) ready |= POLLIN;
    if (pipe.writers === 0) ready |= POLLHUP;
  }
  return ready & (events | POLLERR | POLLHUP);
}

/** pipe_read: up to `max` bytes; "EOF" when empty with no writer; "EAGAIN" where Linux would block. */
export function pipeRead(end: PipeEnd, max: number): number[] | "EOF" | "EAGAIN" | "EBADF" {
  if (end.writeEnd) return "EBADF";
  const { pipe } = end;
  if (pipe.buffer.length === 0) return pipe.writers === 0 ? "EOF" : "EAGAIN";
  const bytes = pipe.buffer.splice(0, Math.max(0, max));
  pipe.changed();
  return bytes;
}

/** pipe_write: all of `bytes` (Unit writes at most 4 at once, under PIPE_BUF: atomic), EPIPE with no reader. */
export function pipeWrite(end: PipeEnd, bytes: readonly number[]): number | "EPIPE" | "EAGAIN" | "EBADF" {
  if (!end.writeEnd) return "EBADF";
  const { pipe } = end;
  if (pipe.readers === 0) return "EPIPE"; // and SIGPIPE, which Unit ignores (nxt_signal.c)
  if (pipe.buffer.length + bytes.length > PIPE_CAPACITY) return "EAGAIN"; // departure: Linux blocks; Unit never fills a pipe
  for (const b of bytes) pipe.buffer.push(b & 0xff);
  pipe.changed();
  return bytes.length;
}

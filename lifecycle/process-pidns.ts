// nxt_process.c as Unit 1.30 made it (b0e2d9d0, with d98a1b0d's PR_SET_CHILD_SUBREAPER): a
// process is made by fork() and unshare() instead of clone(); for a pid namespace the child
// forks again, so that the grandchild is pid 1 of the namespace the child unshared, and exits.
// The grandchild's pid reaches main over a pipe (pid_pipe), and main's word on it goes back
// over another (gc_pipe) before the grandchild goes on; main, a child subreaper, adopts it.
// Each pipe wait is a ppoll of at most 5 s (nxt_process_pipe_timer).

import { alert, type Ctx } from "./context.ts";
import { CLONE_NEWPID, isErrno, POLLERR, POLLIN, POLLOUT, type Fd, type Json, type Sys } from "./kernel.ts";
import { hasUpstream } from "./options.ts";
import { processChildStart, type NxtInt } from "./process.ts"; // a cycle: called at run time only
import type { Oid, ProcessRec } from "./state.ts";

/** The two pipes of a pid-isolated start: [read end, write end] each. */
export interface PidnsPipes {
  readonly pidPipe: readonly [Fd, Fd];
  readonly gcPipe: readonly [Fd, Fd];
}

/** What a forked child of nxt_process_create goes on with (in its copy of the state). */
export interface ChildEntryArg {
  process: Oid;
  port: Oid;
  caller: string | null;
  /** 1.35: the pipes of a pid-isolated start (null: no pid namespace, or c8d9106a's clone). */
  pipes: PidnsPipes | null;
}

/** nxt_process_pipe_timer's timespec: 5 s. */
const PIPE_TIMEOUT_MS = 5000;

/** Unit forks and unshares (b0e2d9d0) rather than clone()ing with the isolation's flags. */
export function forksAndUnshares(ctx: Ctx): boolean {
  return hasUpstream(ctx.s.options, "b0e2d9d0");
}

/** nxt_pipe_create (no O_NONBLOCK on either end). */
function pipeCreate(ctx: Ctx): readonly [Fd, Fd] | null {
  const pp = ctx.k.pipe();
  if (isErrno(pp)) {
    alert(ctx, `pipe() failed ${pp.errno}`);
    return null;
  }
  return pp;
}

/** nxt_pipe_close */
function* pipeClose(ctx: Ctx, pp: readonly [Fd, Fd]): Sys<void> {
  for (const fd of pp) {
    const err = yield* ctx.k.close(fd);
    if (err !== undefined) alert(ctx, `close(${fd}) failed ${err.errno}`);
  }
}

/**
 * nxt_process_init_pidns: for a pid-isolated process, the two pipes, and main (or whoever
 * forks it) a child subreaper when the build has PR_SET_CHILD_SUBREAPER (d98a1b0d's configure
 * test). "ERROR", or the pipes (null: no pid namespace).
 */
export function processInitPidns(ctx: Ctx, process: ProcessRec): PidnsPipes | null | "ERROR" {
  // NXT_HAVE_CLONE_NEWPID: nxt_is_pid_isolated(process).
  if ((process.isolation.clone.flags & CLONE_NEWPID) === 0) return null;
  const pidPipe = pipeCreate(ctx);
  if (pidPipe === null) return "ERROR";
  const gcPipe = pipeCreate(ctx); // on failure pid_pipe stays open, as in Unit
  if (gcPipe === null) return "ERROR";
  if (hasUpstream(ctx.s.options, "d98a1b0d")) {
    const err = ctx.k.prctlChildSubreaper();
    if (err !== undefined) alert(ctx, `prctl(PR_SET_CHILD_SUBREAPER) failed for ${process.name} ${err.errno}`);
  }
  return { pidPipe, gcPipe };
}

/** nxt_process_pipe_timer: "OK" once `fd` is ready for `event` within 5 s, else "ERROR" (time out, EINTR, POLLERR). */
function* processPipeTimer(ctx: Ctx, fd: Fd, event: number): Sys<NxtInt> {
  const ret = yield* ctx.k.ppoll(fd, event, PIPE_TIMEOUT_MS);
  if (isErrno(ret) || ret === 0 || (ret & POLLERR) !== 0) return "ERROR";
  return "OK";
}

/** A pid_t as the 4 bytes write(2) sends of it (x86: little-endian). */
function pidBytes(pid: number): number[] {
  return [pid & 0xff, (pid >>> 8) & 0xff, (pid >>> 16) & 0xff, (pid >>> 24) & 0xff];
}

function pidOfBytes(b: readonly number[]): number {
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) | 0;
}

/** nxt_process_recv_pid: main reads the grandchild's pid and writes back its status (0, or -1 with pid -1). */
export function* processRecvPid(ctx: Ctx, pipes: PidnsPipes): Sys<number> {
  const { pidPipe, gcPipe } = pipes;
  yield* ctx.k.close(pidPipe[1]);
  yield* ctx.k.close(gcPipe[0]);
  let status = 0;
  let pid = -1;
  let got = false;
  if ((yield* processPipeTimer(ctx, pidPipe[0], POLLIN)) === "OK") {
    const r = yield* ctx.k.read(pidPipe[0], 4);
    // read() > 0 is taken as the pid (Unit reads sizeof(nxt_pid_t) in one go; a pipe gives it whole).
    if (Array.isArray(r) && r.length > 0) {
      pid = pidOfBytes(r);
      got = true;
    }
  }
  if (!got) {
    status = -1;
    pid = -1;
  }
  yield* ctx.k.write(gcPipe[1], [status & 0xff]);
  yield* ctx.k.close(pidPipe[0]);
  yield* ctx.k.close(gcPipe[1]);
  return pid;
}

/** nxt_process_send_pid: the child (the grandchild's parent) writes the grandchild's pid. */
function* processSendPid(ctx: Ctx, pidPipe: readonly [Fd, Fd], pid: number): Sys<void> {
  yield* ctx.k.close(pidPipe[0]);
  if ((yield* processPipeTimer(ctx, pidPipe[1], POLLOUT)) === "OK") {
    yield* ctx.k.write(pidPipe[1], pidBytes(pid));
  }
  yield* ctx.k.close(pidPipe[1]);
}

/** nxt_process_check_pid_status: the grandchild waits for main's status byte (-1 when none came). */
function* processCheckPidStatus(ctx: Ctx, gcPipe: readonly [Fd, Fd]): Sys<number> {
  let status = -1;
  yield* ctx.k.close(gcPipe[1]);
  if ((yield* processPipeTimer(ctx, gcPipe[0], POLLIN)) === "OK") {
    const r = yield* ctx.k.read(gcPipe[0], 1);
    if (Array.isArray(r) && r.length > 0) status = (r[0]! << 24) >> 24; // int8_t
  }
  yield* ctx.k.close(gcPipe[0]);
  return status;
}

/**
 * nxt_process_unshare, in the forked child: unshare() of the isolation's namespaces; with a pid
 * namespace, a second fork whose child (processUnshareChild) goes on, while this process sends
 * its pid to main and _exit(0)s here. Returns "OK" or "ERROR" only where Unit's returns.
 */
export function* processUnshare(ctx: Ctx, process: ProcessRec, arg: ChildEntryArg): Sys<NxtInt> {
  const flags = process.isolation.clone.flags;
  if (flags === 0) return "OK";
  const pipes = arg.pipes;
  const err = yield* ctx.k.unshare(flags);
  if (err !== undefined) {
    alert(ctx, `unshare() failed for ${process.name} ${err.errno}`);
    if (pipes !== null) {
      yield* pipeClose(ctx, pipes.gcPipe);
      yield* pipeClose(ctx, pipes.pidPipe);
    }
    return "ERROR";
  }
  if (pipes === null) return "OK";
  // PID namespace requested: a double fork puts the prototype in it as pid 1 (as clone did).
  const pid = yield* ctx.k.clone(0, ctx.s as unknown as Json, { fn: "processUnshareChild", arg: arg as unknown as Json });
  if (isErrno(pid)) {
    alert(ctx, `fork() failed for ${process.name} ${pid.errno}`);
    yield* pipeClose(ctx, pipes.gcPipe);
    yield* pipeClose(ctx, pipes.pidPipe);
    return "ERROR";
  }
  yield* pipeClose(ctx, pipes.gcPipe);
  yield* processSendPid(ctx, pipes.pidPipe, pid);
  return yield* ctx.k.exit(0);
}

/**
 * The grandchild's side of nxt_process_unshare: it waits for main's status, then goes on as
 * nxt_process_create's child does (processChildStart).
 */
export function* processUnshareChild(ctx: Ctx, arg: ChildEntryArg): Sys<void> {
  const pipes = arg.pipes!;
  yield* pipeClose(ctx, pipes.pidPipe);
  if ((yield* processCheckPidStatus(ctx, pipes.gcPipe)) === -1) {
    return yield* ctx.k.exit(1); // nxt_process_unshare's NXT_ERROR: _exit(EXIT_FAILURE)
  }
  yield* processChildStart(ctx, arg);
}

// The real kernel's seam, part 1 of 4: what every call of a real process shares (its run's
// fds and clock, the state fork copies, the record of a call sent to the harness).
// kernel-processes.ts, kernel-files.ts and kernel.ts add the calls by concept.


import type { Continuation, Errno, ErrnoName, Fd, Json, WaitStatus } from "../lifecycle/kernel.ts";
import { errno, isErrno } from "../lifecycle/kernel.ts";
import type { TraceBody } from "../lifecycle/trace.ts";
import type { RealKernelState, RunFds } from "./boot-record.ts";
import * as native from "./native.ts";
import { CGROUP_FILE_ERRNOS } from "./run-cgroup-ns.ts";
import { encodeRecord, type WireRecord } from "./wire.ts";

const KNOWN_ERRNOS: readonly ErrnoName[] = ["EAGAIN", "ENOMEM", "EPIPE", "EPERM", "EINVAL", "ECHILD", "EBADF", "ENOENT", "EACCES", "ESRCH", "EINTR", "ECONNRESET", ...CGROUP_FILE_ERRNOS];

/** A thrown native or Node error as the model's Errno; anything else is ours and rethrown. */
export function toErrno(err: unknown): Errno {
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (KNOWN_ERRNOS as readonly string[]).includes(code)) return errno(code as ErrnoName);
  throw err;
}

export function traced(ret: Errno | undefined | Json): Json {
  if (ret === undefined) return null;
  if (isErrno(ret)) return ret.errno;
  return ret;
}

/** Runs a continuation of the model in this process (the lifecycle program). */
export type Dispatch = (work: Continuation) => void;

export class RealKernelBase {
  protected dispatch: Dispatch = () => {
    throw new Error("real kernel: no dispatcher set");
  };

  constructor(
    protected readonly fds: RunFds,
    protected readonly runStartNs: bigint,
    protected readonly st: RealKernelState,
  ) {}

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

  // ---- internals ----

  protected runFdList(): number[] {
    return [this.fds.report, this.fds.ticket, this.fds.mailbox, this.fds.script, this.fds.addon];
  }

  protected attempt(call: () => void): Errno | undefined {
    try {
      call();
      return undefined;
    } catch (err) {
      return toErrno(err);
    }
  }

  protected inodeOf(fd: Fd): number {
    try {
      return native.fdInode(fd);
    } catch {
      return 0;
    }
  }

  protected sys<T extends Json | Errno | undefined | WaitStatus | readonly number[]>(call: string, args: Json, ret: T): T {
    this.record({ kind: "syscall", call, args, ret: traced(ret as Json | Errno | undefined) });
    return ret;
  }
}

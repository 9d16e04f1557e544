// The simulated kernel's seam, part 1 of 4: what every call of a process shares (its world
// and process, the trace record of a call, the unwinding of a gone process, the return to
// user mode after a point). syscalls-processes.ts, syscalls-files.ts and syscalls.ts add
// the calls by concept, as Linux's are split by subsystem.

import type { Errno, Fd, Json, Pid, WaitStatus } from "../lifecycle/kernel.ts";
import { errno, isErrno, ProcessGone, SIGKILL } from "../lifecycle/kernel.ts";
import { PipeEnd } from "./pipes.ts";
import { SimProcess } from "./process.ts";
import { SocketEnd } from "./sockets.ts";
import { deliverSignal } from "./tasks.ts";
import type { World } from "./world.ts";

/**
 * ProcessGone without a stack trace: it is control flow that only the dispatcher catches,
 * and capturing the model's deep stack cost more than the rest of an exit.
 */
export function gone(how: ProcessGone["how"], detail: string): ProcessGone {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ProcessGone(how, detail);
  } finally {
    Error.stackTraceLimit = limit;
  }
}


/** How a return value appears in the trace. */
export function traced(ret: Errno | undefined | Json): Json {
  if (ret === undefined) return null;
  if (isErrno(ret)) return ret.errno;
  return ret;
}

export class SimKernelBase {
  constructor(
    protected readonly world: World,
    protected readonly proc: SimProcess,
  ) {}

  // ---- helpers ----

  /** A process by pid as seen from the caller's pid namespace (live or zombie). */
  protected visible(pid: Pid): SimProcess | undefined {
    const host = this.proc.pidNs.members.get(pid);
    return host === undefined ? undefined : this.world.proc(host);
  }

  protected pipeAt(fd: Fd): PipeEnd | Errno {
    const entry = this.proc.fds.get(fd);
    if (entry === undefined) return errno("EBADF");
    if (!(entry.file instanceof PipeEnd)) return errno("EINVAL"); // the model polls and reads only its pipes
    return entry.file;
  }

  protected socketAt(fd: Fd): SocketEnd | Errno {
    const entry = this.proc.fds.get(fd);
    if (entry === undefined) return errno("EBADF");
    if (!(entry.file instanceof SocketEnd)) return errno("EINVAL"); // ENOTSOCK
    return entry.file;
  }

  /** Records a syscall and returns its result unchanged. */
  protected sys<T extends Json | Errno | undefined | WaitStatus | readonly number[]>(call: string, args: Json, ret: T): T {
    this.world.trace.syscall(this.proc, call, args, traced(ret as Json | Errno | undefined));
    this.proc.position?.results.push(traced(ret as Json | Errno | undefined));
    return ret;
  }

  /** A call made by a process that is already gone unwinds it again. */
  protected live(): void {
    if (!this.proc.alive) throw gone("exit", "process is gone");
  }

  /**
   * The return to user mode after a call that was a scheduling point: a SIGKILL queued since
   * (by another process, or the call itself) kills the process here, so the call completes
   * but no code of the process runs after it (get_signal on exit_to_user_mode).
   */
  protected afterCall<T>(ret: T): T {
    if (!this.proc.signals.isPending(SIGKILL)) return ret;
    deliverSignal(this.world, this.proc, SIGKILL);
    throw gone("exit", `killed by signal ${SIGKILL}`);
  }
}

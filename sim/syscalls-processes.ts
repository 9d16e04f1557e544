// The simulated kernel's seam, part 2 of 4: identity and processes (clone, unshare, waitpid,
// kill, signals, exit).

import type { Continuation, Errno, Gid, Json, Pid, Signal, SignalDisposition, Sys, Uid, WaitStatus } from "../lifecycle/kernel.ts";
import { CLONE_NEWPID, CLONE_NEWUSER, errno, EXITED, POINTS, SIGABRT, SIGKILL, SIGSEGV } from "../lifecycle/kernel.ts";
import { clonePlainNamespaces, PRIVILEGED_NS_FLAGS, unsharePlainNamespaces } from "./namespaces.ts";
import { allocatePids, PidNamespace, pidIn, registerPids } from "./pids.ts";
import { copyImage, SimProcess } from "./process.ts";
import { adoptNewProcess, reap, sendSignal } from "./tasks.ts";
import { capable, copyCreds, mayCreateUserns, UserNamespace, viewId } from "./userns.ts";
import { gone, SimKernelBase } from "./syscall-base.ts";

const KNOWN_CLONE_FLAGS = PRIVILEGED_NS_FLAGS | CLONE_NEWUSER;
/** The low byte of clone flags is the exit signal (SIGCHLD); it is always SIGCHLD here. */
const EXIT_SIGNAL_MASK = 0xff;

export class SimProcessCalls extends SimKernelBase {
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
    const child = new SimProcess(hostPid, links, proc, copyImage(world.program, image), creds, ns, proc.fds.copy(), proc.signals.forkCopy());
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

  /** The exit takes effect at the process's next step (the scheduler's "resume" of it); the handler ends here. */
  *exit(status: number): Sys<never> {
    this.live();
    this.proc.pendingExit = { status, signal: null };
    yield EXITED;
    throw new Error("a handler was resumed after its exit"); // the dispatcher never resumes it
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
}

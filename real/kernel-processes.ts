// The real kernel's seam, part 2 of 4: identity and processes (clone3 + execve as fork,
// unshare, waitpid by pidfds, kill, signals, exit), and the SIGCHLD raised from pidfds.


import type { Continuation, Errno, Gid, Json, Pid, Signal, SignalDisposition, Sys, Uid, WaitStatus } from "../lifecycle/kernel.ts";
import { CLONE_NEWPID, CLONE_NEWUSER, errno, POINTS, SIGCHLD } from "../lifecycle/kernel.ts";
import type { RealKernelState, UnitBoot } from "./boot-record.ts";
import { writeTmpJson } from "./boot-record.ts";
import { chaosPause } from "./chaos.ts";
import { childArgv, childEnv } from "./child-command.ts";
import * as native from "./native.ts";
import { spawnAtNextPid, threadBase } from "./pid-cursor.ts";
import { childrenOfSelf } from "./procfs.ts";
import { signalName } from "./signals.ts";
import { RealKernelBase, toErrno } from "./kernel-base.ts";

const EXIT_SIGNAL_MASK = 0xff;

export class RealProcessCalls extends RealKernelBase {
  protected readonly childWatchers = new Map<number, native.Watcher>();
  protected readonly signalListeners = new Map<number, () => void>();
  protected sigchldPending = false;

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

  *exit(status: number): Sys<never> {
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

  protected watchChild(pidfd: number): void {
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
  protected adoptOrphans(): void {
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

  protected raiseSigchld(): void {
    if (this.sigchldPending) return;
    this.sigchldPending = true;
    setImmediate(() => {
      this.sigchldPending = false;
      this.deliver(SIGCHLD);
    });
  }

  protected deliver(sig: Signal): void {
    const d = this.st.dispositions.find(([s]) => s === sig)?.[1] ?? "default";
    if (typeof d === "object") {
      this.record({ kind: "signal", sig, action: "handler" });
      this.dispatch({ fn: d.fn, arg: sig });
      return;
    }
    // Only SIGCHLD reaches here with no handler: its default action is to ignore it.
    this.record({ kind: "signal", sig, action: "ignore" });
  }

  protected applyDisposition(sig: Signal, d: SignalDisposition): void {
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
}

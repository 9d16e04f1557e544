// The Kernel seam as the simulator implements it: one SimKernel per process, each call
// acting on behalf of that process and recorded in the trace. Split by concept:
// syscall-base.ts (what every call shares), syscalls-processes.ts (identity, processes,
// signals), syscalls-files.ts (sockets, pipes, fds), and here shared memory, the event
// engine, credentials, /proc files, cgroup files and the model's trace.

import type { Continuation, Errno, Gid, Kernel, ModelEvent, Pid, ProcMapFile, Sys, Uid } from "../lifecycle/kernel.ts";
import { errno, POINTS, SIGSEGV } from "../lifecycle/kernel.ts";
import { procCgroupText } from "./cgroups.ts";
import { FdTable } from "./fds.ts";
import { SimProcess } from "./process.ts";
import { ProcessTimerDue } from "./due.ts";
import {
  setgid as credSetgid,
  setgroups as credSetgroups,
  setuid as credSetuid,
  writeIdMap,
  writeSetgroups,
} from "./userns.ts";
import type { World } from "./world.ts";
import { SimFileCalls } from "./syscalls-files.ts";

export class SimKernel extends SimFileCalls implements Kernel {
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

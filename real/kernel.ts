// The Kernel seam on the real Linux kernel: one RealKernel per real process (each Unit
// process of the model is its own Node process). Calls are real syscalls through the native
// addon or Node; each is reported to the harness in the sim's trace vocabulary.
//
// Departures from a C process, each forced by running Node:
// - clone() is clone3 + execve of node: the child gets the model image and its fds at the
//   same numbers, as fork would leave them, but starts a fresh Node runtime.
// - SIGCHLD is raised from the child's pidfd becoming readable (Node owns the real SIGCHLD).
// - A child created in a new user namespace keeps, through execve, the full capabilities a
//   forked child has there (ambient capabilities raised before exec): an exec'd Node with an
//   unmapped uid would otherwise have none (shared/reference/linux-notes.md, pitfall 6), and
//   Unit's order (maps written by main after CREATED) is kept unchanged.
// - Pids are those a single-threaded C process would get (real/pid-cursor.ts), where allowed.
//
// Split by concept: kernel-base.ts (what every call shares), kernel-processes.ts (identity,
// processes, signals), kernel-files.ts (sockets, pipes, fds), and here the event engine,
// shared memory, credentials, /proc and cgroup files and the model's trace.

import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";

import type { Continuation, Errno, Gid, Kernel, ModelEvent, Pid, ProcMapFile, Signal, Sys, Uid } from "../lifecycle/kernel.ts";
import { POINTS } from "../lifecycle/kernel.ts";
import * as native from "./native.ts";
import { createCursor } from "./pid-cursor.ts";
import { RealFileCalls } from "./kernel-files.ts";

import { toErrno, type Dispatch } from "./kernel-base.ts";

export { toErrno, type Dispatch };

export class RealKernel extends RealFileCalls implements Kernel {
  private readonly timerHandles = new Map<number, NodeJS.Timeout>();
  private draining = false;

  /** Installs the dispatcher and everything the state says is live (after start or re-exec). */
  start(dispatch: Dispatch): void {
    this.dispatch = dispatch;
    // pid 1 of a new pid namespace: the namespace's cursor starts at us.
    if (this.st.pidCursor.fd === -1) this.st.pidCursor = createCursor(1, this.st.pidCursor.pidMax);
    for (const [sig, d] of this.st.dispositions) this.applyDisposition(sig as Signal, d);
    for (const [fd, fn] of this.st.watches) this.startWatch(fd, fn);
    for (const c of this.st.children) this.watchChild(c.pidfd);
    if (this.st.subreaper === true) native.setChildSubreaper(true);
    if (this.st.work.length > 0) this.scheduleDrain();
  }

  // ---- shared memory ----

  mmapSharedCounter(initial: number): number {
    const fd = native.sharedCounterCreate(initial);
    this.st.modelFds.push(fd);
    return this.sys("mmapSharedCounter", { initial }, fd);
  }

  *sharedFetchAdd(handle: number, delta: number): Sys<number> {
    yield POINTS.sharedFetchAdd;
    return this.sharedFetchAddNow(handle, delta);
  }

  private sharedFetchAddNow(handle: number, delta: number): number {
    if (!this.st.modelFds.includes(handle)) this.abort(`SIGSEGV: shared word ${handle} is not mapped in this process`);
    return this.sys("sharedFetchAdd", { handle, delta }, native.sharedFetchAdd(handle, delta));
  }

  // ---- the event engine ----

  post(work: Continuation): void {
    this.st.work.push(work);
    this.scheduleDrain();
    this.sys("post", { fn: work.fn }, undefined);
  }

  setTimer(delayMs: number, work: Continuation): number {
    const id = this.st.nextTimerId++;
    this.armTimer(id, delayMs, work);
    return this.sys("setTimer", { delayMs, fn: work.fn }, id);
  }

  clearTimer(id: number): void {
    const t = this.timerHandles.get(id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timerHandles.delete(id);
      this.reportTimers();
    }
    this.sys("clearTimer", { id }, undefined);
  }

  timersNow(): number {
    return this.sys("timersNow", {}, Math.floor(this.now()));
  }

  // ---- credentials ----

  setgroups(gids: readonly Gid[]): Errno | undefined {
    return this.sys("setgroups", { gids: [...gids] }, this.attempt(() => native.setgroups([...gids])));
  }

  setgid(gid: Gid): Errno | undefined {
    return this.sys("setgid", { gid }, this.attempt(() => native.setgid(gid)));
  }

  setuid(uid: Uid): Errno | undefined {
    return this.sys("setuid", { uid }, this.attempt(() => native.setuid(uid)));
  }

  prctlNoNewPrivs(): Errno | undefined {
    return this.sys("prctlNoNewPrivs", {}, this.attempt(() => native.setNoNewPrivs()));
  }

  prctlChildSubreaper(): Errno | undefined {
    const ret = this.attempt(() => native.setChildSubreaper(true));
    if (ret === undefined) this.st.subreaper = true;
    return this.sys("prctlChildSubreaper", {}, ret);
  }

  *writeProcFile(pid: Pid, file: ProcMapFile, content: string): Sys<Errno | undefined> {
    yield POINTS.writeProcFile;
    return this.writeProcFileNow(pid, file, content);
  }

  private writeProcFileNow(pid: Pid, file: ProcMapFile, content: string): Errno | undefined {
    const args = { pid, file, content };
    // /proc is the run's own mount, so `pid` is read in the caller's pid namespace as Unit does.
    return this.sys("writeProcFile", args, this.attempt(() => writeFileSync(`/proc/${pid}/${file}`, content)));
  }

  // ---- files: the run's own cgroup2 mount (real/run-cgroup-ns.ts) and /proc/self/cgroup ----

  *mkdir(path: string, mode: number): Sys<Errno | undefined> {
    yield POINTS.mkdir;
    return this.sys("mkdir", { path, mode }, this.attempt(() => mkdirSync(path, { mode })));
  }

  *rmdir(path: string): Sys<Errno | undefined> {
    yield POINTS.rmdir;
    return this.sys("rmdir", { path }, this.attempt(() => rmdirSync(path)));
  }

  *writeFile(path: string, content: string): Sys<Errno | undefined> {
    yield POINTS.writeFile;
    return this.sys("writeFile", { path, content }, this.attempt(() => writeFileSync(path, content)));
  }

  readFile(path: string): string | Errno {
    let text: string | Errno;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      text = toErrno(err);
    }
    return this.sys("readFile", { path }, text);
  }

  // ---- the trace ----

  trace(event: ModelEvent): void {
    if (event.what === "type") this.st.ptype = event.type;
    this.record({ kind: "model", event });
  }


  // ---- internals ----

  private armTimer(id: number, delayMs: number, work: Continuation): void {
    const handle = setTimeout(() => {
      this.timerHandles.delete(id);
      this.reportTimers();
      this.dispatch(work);
    }, delayMs);
    this.timerHandles.set(id, handle);
    this.reportTimers();
  }

  private reportTimers(): void {
    this.send({ r: "timers", ticket: this.ticket(), pending: this.timerHandles.size });
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const work = this.st.work.shift();
      if (work !== undefined) this.dispatch(work);
      if (this.st.work.length > 0) this.scheduleDrain();
    });
  }
}

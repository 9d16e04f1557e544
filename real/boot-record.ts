// What a real process is started with: an unlinked temporary file (O_TMPFILE in /dev/shm)
// whose fd the child inherits at the same number. It holds the model's plain-data image (the
// copy fork would have made), the continuation to run, and the backend's own per-process
// state. Nothing is left on disk: the file has no name and dies with its last fd.

import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from "node:fs";

import type { Continuation, Json, SignalDisposition } from "../lifecycle/kernel.ts";
import type { PidCursor } from "./pid-cursor.ts";

/** fds every process of a run holds at fixed numbers (inherited from the harness). */
export interface RunFds {
  /** The report channel's shared end (records to the harness). */
  report: number;
  /** The run's shared ticket counter (memfd). */
  ticket: number;
  /** The harness's mailbox for work it posts into a process (O_TMPFILE). */
  mailbox: number;
  /** The program every process runs (real/program.ts). */
  script: number;
  addon: number;
}

/** The real kernel's own per-process state: plain data, so it crosses clone's execve. */
export interface RealKernelState {
  /** Every fd the model owns (sockets and shared words): fork copies them, so do we. */
  modelFds: number[];
  watches: [fd: number, fn: string][];
  dispositions: [sig: number, disposition: SignalDisposition][];
  children: { pid: number; pidfd: number }[];
  /** PR_SET_CHILD_SUBREAPER is set: orphans reparented to us are adopted into `children`. */
  subreaper?: boolean;
  /**
   * Namespaces unshare() asked for and not yet made: a Node process has threads, so Linux
   * refuses it a new user or mount namespace (EINVAL); they are made at its next fork instead.
   */
  unshared?: number;
  /** Work posted and not yet run (Unit's work queue). */
  work: Continuation[];
  nextTimerId: number;
  ptype: string;
  /** The cursor of the process's own pid namespace (fd -1: a new namespace, created at start). */
  pidCursor: PidCursor;
  /** Chaos mode (real/chaos.ts): the longest random sleep at a scheduling point, in µs; 0 off. */
  chaosMaxUs: number;
}

export interface UnitBoot {
  role: "unit";
  runStartNs: string;
  fds: RunFds;
  image: Json;
  /** The first continuation (the clone child's, or unitd's entry). */
  entry: Continuation;
  kernel: RealKernelState;
  /** Credentials to take before anything runs (unitd started by the run's init). */
  become: { uid: number; gid: number } | null;
}

export interface InitBoot {
  role: "init";
  runStartNs: string;
  fds: RunFds;
  /** The run is confined (real/confine.ts): the init makes the host's mounts read-only. */
  confined: boolean;
  /** Unit's cgroup code runs (867a839f): cgroup2 is mounted for it and unitd gets a cgroup namespace (real/run-cgroup-ns.ts). */
  unitCgroup?: boolean;
  unitd: UnitBoot;
}

export type BootRecord = UnitBoot | InitBoot;

export const BOOT_FD_ENV = "NXTSIM_BOOT_FD";

const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;

/** An unnamed file in /dev/shm holding `json`; the caller closes the fd once the child has it. */
export function writeTmpJson(json: unknown): number {
  const fd = openSync("/dev/shm", constants.O_RDWR | O_TMPFILE, 0o600);
  const data = Buffer.from(JSON.stringify(json));
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off, off);
  return fd;
}

/** Reads the whole file behind `fd` from offset 0 (the writer's offset does not matter). */
export function readTmpJson<T>(fd: number): T {
  const size = fstatSync(fd).size;
  const data = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, data, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return JSON.parse(data.subarray(0, off).toString("utf8")) as T;
}

export function readBootRecord(fd: number): BootRecord {
  const boot = readTmpJson<BootRecord>(fd);
  closeSync(fd);
  return boot;
}

export function freshKernelState(pidCursor: PidCursor, chaosMaxUs = 0): RealKernelState {
  return { modelFds: [], watches: [], dispositions: [], children: [], work: [], nextTimerId: 1, ptype: "", pidCursor, chaosMaxUs };
}

/**
 * Typed loader of the native addon (C sources in real/native/src, built by
 * `npm run build:native`). The addon is loaded on first use, so importing this module never
 * fails; a call without a built addon throws one line saying how to build it.
 *
 * All fds are plain numbers. System call failures are thrown as NativeError
 * (`code` "EAGAIN", `errno` 11, `syscall` "sendmsg"); bad arguments as TypeError.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** CLONE_NEW* bits for SpawnOptions.cloneFlags (the only bits spawn accepts, with NEWTIME 0x80). */
export const CLONE = {
  NEWNS: 0x20000,
  NEWCGROUP: 0x2000000,
  NEWUTS: 0x4000000,
  NEWIPC: 0x8000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

/** Every namespace in CLONE, or'ed. */
export const ALL_NAMESPACES: number = Object.values(CLONE).reduce((all, bit) => all | bit, 0);

export interface SpawnOptions {
  /** Absolute path to execute (e.g. process.execPath). */
  file: string;
  argv: string[];
  envp: string[];
  /** CLONE_NEW* bits (see CLONE). */
  cloneFlags: number;
  /** Fds that stay open in the child at the same numbers; every other fd > 2 is closed before exec. */
  keepFds: number[];
  /** Fds dup2'ed onto 0, 1, 2 (default: the parent's 0, 1, 2). FD_CLOEXEC is cleared on 0..2 either way. */
  stdio?: [number, number, number];
  /** prctl(PR_SET_PDEATHSIG) in the child before exec. Tied to the calling (main) thread. */
  pdeathsig?: number;
  /** The child waits before execve until release(syncFd), e.g. for uid/gid maps to be written. */
  holdUntilRelease?: boolean;
  /** Raise every permitted capability as ambient before exec, so that the exec'd program keeps them
   * even with a non-root (or unmapped) uid: what a forked child in a new user namespace has. */
  keepCaps?: boolean;
  /** clone3's set_tid: the child's pid in each pid namespace level, innermost first (EEXIST if taken). */
  setTid?: number[];
  /** Written to /proc/sys/kernel/ns_last_pid before exec (a NEWPID child is pid 1 of that namespace). */
  nsLastPid?: number;
  /** With NEWUSER and holdUntilRelease (maps written meanwhile): after release the child takes
   * ids 0/0 of its namespace and no groups, so it execs as that namespace's root (pdeathsig is armed again). */
  rootInUserNs?: boolean;
}

export interface Spawned {
  /** The child's pid in the caller's pid namespace (the host pid). */
  pid: number;
  /** CLOEXEC pidfd of the child: pollable (readable once it exited), for pidfdWait/pidfdSendSignal. */
  pidfd: number;
  /** -1 unless holdUntilRelease: then pass it to release() (or close() it to make the child exit 127). */
  syncFd: number;
}

export interface RecvResult {
  /** Empty with no fds and eof === true: the peer closed (read returned 0). */
  data: Buffer;
  /** Read returned 0 and no control data came (a 0-byte message with no credentials looks the same). */
  eof: boolean;
  /** SCM_RIGHTS, received CLOEXEC: the receiver owns and must close them. */
  fds: number[];
  /** SCM_CREDENTIALS; only when the receiver has SO_PASSCRED (socketpair() sets it), which also makes the kernel attach them to plain writes. */
  cred: { pid: number; uid: number; gid: number } | null;
  /** MSG_TRUNC or MSG_CTRUNC: data beyond maxBytes, or fds beyond 16, were dropped. */
  truncated: boolean;
}

export interface SendOptions {
  /** Attach explicit SCM_CREDENTIALS {getpid(), getuid(), getgid()} (as seen in the sender's namespaces). */
  cred?: boolean;
  /** Wait for room instead of throwing EAGAIN. */
  block?: boolean;
}

export interface Watcher {
  /** Idempotent, and safe after the fd was closed. */
  stop(): void;
}

export interface WaitResult {
  how: "exited" | "killed" | "dumped";
  /** Exit code, or the signal number. */
  status: number;
}

export interface NativeAddon {
  /** clone3(CLONE_PIDFD | cloneFlags, exit_signal SIGCHLD) + execve; throws the child's errno if a pre-exec step or execve failed (that child is reaped). */
  spawn(opts: SpawnOptions): Spawned;
  /** Lets a held child exec and closes syncFd; returns once it exec'd, throws its errno if execve failed. */
  release(syncFd: number): void;
  /** AF_UNIX SOCK_SEQPACKET, CLOEXEC and NONBLOCK, SO_PASSCRED on both ends. */
  socketpair(): [number, number];
  setPassCred(fd: number, on: boolean): void;
  /** MSG_NOSIGNAL; at most 4 fds; returns the bytes sent; throws EAGAIN (unless block), EPIPE, ... */
  sendmsg(fd: number, data: Buffer, fds: number[], opts?: SendOptions): number;
  /** Non-blocking; null when nothing is queued (EAGAIN). */
  recvmsg(fd: number, maxBytes: number): RecvResult | null;
  /** Throws EBADF for an fd that is not open. */
  close(fd: number): void;
  /** st_ino of the fd (fstat). */
  fdInode(fd: number): number;
  /** uv_poll on fd (which it makes O_NONBLOCK); onReadable runs while fd is readable. An
   * exception it throws goes to process 'uncaughtException'. Stop it before closing fd. */
  watchReadable(fd: number, onReadable: () => void): Watcher;
  /** waitid(P_PIDFD, WEXITED | WNOHANG): reaps the child; null while it runs. */
  pidfdWait(pidfd: number): WaitResult | null;
  pidfdSendSignal(pidfd: number, sig: number): void;
  /** prctl(PR_SET_NO_NEW_PRIVS) for the calling thread only (and what it execs or creates later). */
  setNoNewPrivs(): void;
  setChildSubreaper(on: boolean): void;
  setPdeathsig(sig: number): void;
  /** glibc: applied to every thread of the process. */
  setgroups(gids: number[]): void;
  /** glibc, every thread; -1 leaves an id unchanged. */
  setresgid(r: number, e: number, s: number): void;
  /** glibc, every thread; -1 leaves an id unchanged. */
  setresuid(r: number, e: number, s: number): void;
  /** memfd (MFD_CLOEXEC) of 8 bytes holding `initial`; returns its fd. */
  sharedCounterCreate(initial: number): number;
  /** Atomic fetch-add on the counter mapped from fd (mapping cached per file); returns the old value. */
  sharedFetchAdd(fd: number, delta: number): number;
  /** In-process execve after clearing FD_CLOEXEC on 0..2 and keepFds; throws on failure. */
  reexec(file: string, argv: string[], envp: string[], keepFds: number[]): never;
  /** glibc setuid/setgid (every thread), with their own privileged/unprivileged rules. */
  setuid(uid: number): void;
  setgid(gid: number): void;
  /** pidfd_open(pid, 0): a CLOEXEC pidfd of any process we can see (to reap an adopted orphan). */
  pidfdOpen(pid: number): number;
  /** glibc abort(3): SIGABRT, or SIGSEGV for a pid-namespace init that SIGABRT cannot kill. */
  abortNow(): never;
  /** mount_setattr(AT_RECURSIVE): every mount at and below path read-only and private. */
  mountPrivateReadOnly(path: string): void;
  /** pipe2(O_CLOEXEC): [read end, write end], blocking. */
  pipe(): [number, number];
  /** read(2) of at most `max` (<= 4096) bytes; [] at EOF; blocks on an empty pipe with a writer. */
  read(fd: number, max: number): number[];
  /** write(2) of at most 4096 bytes; returns the count; throws EPIPE (SIGPIPE is ignored by Node). */
  write(fd: number, bytes: number[]): number;
  /** ppoll of one fd, every signal but SIGINT and SIGTERM blocked: revents, 0 at the timeout; throws EINTR. */
  ppoll(fd: number, events: number, timeoutMs: number): number;
}

/** A failed system call, as thrown by the addon. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
}

export function isNativeError(error: unknown, code?: string): error is NativeError {
  return (
    error instanceof Error &&
    typeof (error as Partial<NativeError>).errno === "number" &&
    typeof (error as Partial<NativeError>).syscall === "string" &&
    (code === undefined || (error as NativeError).code === code)
  );
}

export const ADDON_PATH = fileURLToPath(new URL("./native/build/Release/nxtsim_native.node", import.meta.url));
/** Where a real process of a run finds the addon: an inherited fd (see real/program.ts). */
export const ADDON_ENV = "NXTSIM_ADDON";
export const NOT_BUILT_MESSAGE = "native addon not built: run `npm run build:native`";

let addon: NativeAddon | undefined;

/** The addon itself; throws Error(NOT_BUILT_MESSAGE) when it has not been built. */
export function loadNative(): NativeAddon {
  if (addon === undefined) {
    const path = process.env[ADDON_ENV] ?? ADDON_PATH;
    if (!existsSync(path)) throw new Error(NOT_BUILT_MESSAGE);
    // dlopen by path, whatever its name (a /proc/self/fd link has no .node suffix).
    const module = { exports: {} };
    process.dlopen(module, path);
    addon = module.exports as NativeAddon;
  }
  return addon;
}

export function spawn(opts: SpawnOptions): Spawned {
  return loadNative().spawn(opts);
}
export function release(syncFd: number): void {
  return loadNative().release(syncFd);
}
export function socketpair(): [number, number] {
  return loadNative().socketpair();
}
export function setPassCred(fd: number, on: boolean): void {
  return loadNative().setPassCred(fd, on);
}
export function sendmsg(fd: number, data: Buffer, fds: number[], opts?: SendOptions): number {
  return loadNative().sendmsg(fd, data, fds, opts);
}
export function recvmsg(fd: number, maxBytes: number): RecvResult | null {
  return loadNative().recvmsg(fd, maxBytes);
}
export function close(fd: number): void {
  return loadNative().close(fd);
}
export function fdInode(fd: number): number {
  return loadNative().fdInode(fd);
}
export function watchReadable(fd: number, onReadable: () => void): Watcher {
  return loadNative().watchReadable(fd, onReadable);
}
export function pidfdWait(pidfd: number): WaitResult | null {
  return loadNative().pidfdWait(pidfd);
}
export function pidfdSendSignal(pidfd: number, sig: number): void {
  return loadNative().pidfdSendSignal(pidfd, sig);
}
export function setNoNewPrivs(): void {
  return loadNative().setNoNewPrivs();
}
export function setChildSubreaper(on: boolean): void {
  return loadNative().setChildSubreaper(on);
}
export function setPdeathsig(sig: number): void {
  return loadNative().setPdeathsig(sig);
}
export function setgroups(gids: number[]): void {
  return loadNative().setgroups(gids);
}
export function setresgid(r: number, e: number, s: number): void {
  return loadNative().setresgid(r, e, s);
}
export function setresuid(r: number, e: number, s: number): void {
  return loadNative().setresuid(r, e, s);
}
export function sharedCounterCreate(initial: number): number {
  return loadNative().sharedCounterCreate(initial);
}
export function sharedFetchAdd(fd: number, delta: number): number {
  return loadNative().sharedFetchAdd(fd, delta);
}
export function reexec(file: string, argv: string[], envp: string[], keepFds: number[]): never {
  return loadNative().reexec(file, argv, envp, keepFds);
}
export function setuid(uid: number): void {
  return loadNative().setuid(uid);
}
export function setgid(gid: number): void {
  return loadNative().setgid(gid);
}
export function pidfdOpen(pid: number): number {
  return loadNative().pidfdOpen(pid);
}
export function abortNow(): never {
  return loadNative().abortNow();
}
export function pipe(): [number, number] {
  return loadNative().pipe();
}
export function read(fd: number, max: number): number[] {
  return loadNative().read(fd, max);
}
export function write(fd: number, bytes: number[]): number {
  return loadNative().write(fd, bytes);
}
export function ppoll(fd: number, events: number, timeoutMs: number): number {
  return loadNative().ppoll(fd, events, timeoutMs);
}
export function mountPrivateReadOnly(path: string): void {
  return loadNative().mountPrivateReadOnly(path);
}

// The only seam between the lifecycle model and the outside world.
//
// Every Unit process of the model runs against one `Kernel` object bound to that process
// (like a task's view of the syscall table): the calls act on behalf of the calling process.
// The simulated kernel (sim/) and the real Linux backend (real/) both implement it.
//
// Conventions, kept close to the C API the model imitates:
// - calls that can fail return `Errno` (an object) instead of throwing; `isErrno` tells.
// - `exit` and `abort` never return: they end the calling process (`exit` is called with
//   `yield*` and the simulated kernel drops the handler at its `EXITED`; `abort` unwinds the
//   model's stack with a `ProcessGone` throw that only the backend catches).
// - behaviour is named, never passed as closures: a `Continuation` is a function name
//   from the lifecycle registry plus a plain-data argument.

export type Pid = number;
export type Fd = number;
export type Uid = number;
export type Gid = number;

/** JSON-compatible plain data: the only thing that may live in process state and messages. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type ErrnoName =
  | "EAGAIN"
  | "ENOMEM"
  | "EPIPE"
  | "EPERM"
  | "EINVAL"
  | "ECHILD"
  | "EBADF"
  | "ENOENT"
  | "EACCES"
  | "ESRCH"
  | "EINTR"
  | "ECONNRESET"
  // the file calls of Unit's cgroup code (lifecycle/cgroup.ts)
  | "EEXIST"
  | "EBUSY"
  | "ENOTEMPTY"
  | "ENAMETOOLONG"
  | "ENODATA"
  | "EROFS";

export interface Errno {
  readonly errno: ErrnoName;
}

export function isErrno(value: unknown): value is Errno {
  return typeof value === "object" && value !== null && "errno" in value;
}

export function errno(name: ErrnoName): Errno {
  return { errno: name };
}

/** Linux clone(2) namespace flags (the values the real backend passes to clone3). */
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;

export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGABRT = 6;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SIGUSR1 = 10;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGHUP = 1;

export type Signal =
  | typeof SIGHUP
  | typeof SIGINT
  | typeof SIGQUIT
  | typeof SIGABRT
  | typeof SIGKILL
  | typeof SIGSEGV
  | typeof SIGUSR1
  | typeof SIGTERM
  | typeof SIGCHLD;

/**
 * A scheduling point: the calling process is about to make a call whose effect another
 * process can observe, or which observes another process. The simulated kernel yields one
 * before such a call and the scheduler may run any other process's steps before the call
 * takes effect; the real kernel is already concurrent and runs straight through (or, in
 * chaos mode, sleeps a little there).
 */
export interface SchedPoint {
  readonly call: PointCall;
}

export type PointCall =
  | "sendmsg"
  | "recvmsg"
  | "close"
  | "kill"
  | "clone"
  | "waitpid"
  | "writeProcFile"
  | "sharedFetchAdd"
  | "unshare"
  | "read"
  | "write"
  | "ppoll"
  | "mkdir"
  | "rmdir"
  | "writeFile"
  | "exit";

/**
 * What the simulated kernel yields from exit(): not a point but the end of the handler, which
 * the dispatcher never resumes. Unwinding the model's stack by a throw made runs 1.11x slower.
 */
export const EXITED: SchedPoint = { call: "exit" };

/** One marker per kind of point, yielded by a backend just before the call takes effect (no allocation per call). */
export const POINTS: { readonly [C in PointCall]: SchedPoint } = {
  sendmsg: { call: "sendmsg" },
  recvmsg: { call: "recvmsg" },
  close: { call: "close" },
  kill: { call: "kill" },
  clone: { call: "clone" },
  waitpid: { call: "waitpid" },
  writeProcFile: { call: "writeProcFile" },
  sharedFetchAdd: { call: "sharedFetchAdd" },
  unshare: { call: "unshare" },
  read: { call: "read" },
  write: { call: "write" },
  ppoll: { call: "ppoll" },
  mkdir: { call: "mkdir" },
  rmdir: { call: "rmdir" },
  writeFile: { call: "writeFile" },
  exit: EXITED,
};

/** poll(2) event bits (Linux's values), for ppoll's `events` and what it returns. */
export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;

/**
 * What a model function returns when it may reach a scheduling point: a generator that the
 * backend drives. Callers run it with `yield*` (test/lifecycle/yield-discipline.test.ts
 * checks that no such call in lifecycle/ is left unconsumed).
 */
export type Sys<T> = Generator<SchedPoint, T, undefined>;

/** Where a process goes on: a function name of the lifecycle registry and its argument. */
export interface Continuation {
  readonly fn: string;
  readonly arg: Json;
}

/** One SOCK_SEQPACKET datagram as sent: opaque plain data plus up to 2 passed fds. */
export interface OutMessage {
  readonly data: Json;
  readonly fds: readonly Fd[];
}

/** A received datagram: the passed fds are new fds in the receiver's table. */
export interface InMessage {
  readonly data: Json;
  readonly fds: readonly Fd[];
  /** SCM_CREDENTIALS pid of the sender as seen from the receiver's pid namespace (0 if invisible). */
  readonly credPid: Pid;
  readonly credUid: Uid;
  readonly credGid: Gid;
}

/** recvmsg on a socket whose peers have all closed their ends and whose queue is empty. */
export const EOF = "EOF" as const;
export type Eof = typeof EOF;

export type WaitStatus =
  | { readonly pid: Pid; readonly exited: number; readonly signaled?: undefined }
  | { readonly pid: Pid; readonly signaled: Signal; readonly exited?: undefined };

export type SignalDisposition = "default" | "ignore" | Continuation;

export type ProcMapFile = "uid_map" | "gid_map" | "setgroups";

/** Model-level trace facts the model reports itself (the kernel records syscalls on its own). */
export type ModelEvent =
  | { readonly what: "type"; readonly type: string; readonly name: string }
  | { readonly what: "state"; readonly of: Pid; readonly from: string; readonly to: string; readonly table: "own" | "parent" }
  | { readonly what: "alert"; readonly text: string }
  | { readonly what: "log"; readonly text: string }
  | { readonly what: "handshake"; readonly step: HandshakeStep; readonly detail?: Json }
  | { readonly what: "table"; readonly op: "add" | "add-failed" | "remove" | "release"; readonly pid: Pid; readonly oid: number }
  | { readonly what: "port"; readonly op: string; readonly pid: Pid; readonly id: number; readonly ptype: string }
  /**
   * An RPC registration of the reporting process (nxt_port_rpc.c): registered, its ready
   * ("resolve") or error handler called (by nxt_port_rpc_handler, or by nxt_port_rpc_remove_peer
   * for a dead peer), or cancelled. `port` is the registering port's address in the process's
   * memory (its heap oid); `last` is the reply's LAST flag, with which Unit frees the registration.
   */
  | {
      readonly what: "rpc";
      readonly op: "register" | "resolve" | "cancel" | "error";
      readonly stream: number;
      readonly peer?: Pid;
      readonly port?: number;
      readonly last?: boolean;
    }
  /** nxt_port_rpc_close has run on a port whose read end nxt_port_close is closing: none of its registrations is left. */
  | { readonly what: "rpc-close"; readonly port: number }
  /**
   * A handshake message handler looked up the sender's record for the message just read
   * (nxt_main_process_created_handler, nxt_proto_process_created_handler,
   * nxt_port_process_ready_handler): `found` false means the message was dropped silently.
   */
  | { readonly what: "handler"; readonly fn: string; readonly found: boolean }
  | { readonly what: "quit"; readonly status: number }
  /** The table a child kept after nxt_process_child_fixup: pid, type and state of each entry. */
  | { readonly what: "fixup"; readonly kept: readonly { readonly pid: Pid; readonly type: number; readonly state: string }[] }
  /**
   * A process's whole table (rt->processes) at a point where Unit relies on it: when main or
   * a prototype is about to handle a reaped child (`dead` = that record), when a REMOVE_PID
   * has been handled (`dead` = the record it named, if any, as it was before being closed),
   * and when nxt_runtime_exit starts its teardown.
   * `exiting` is the reporter's nxt_exiting (main) or nxt_proto_exiting (prototype).
   */
  | {
      readonly what: "table-snapshot";
      readonly at: "reap" | "remove-pid" | "exit";
      readonly dead: DeadRecord | null;
      readonly exiting: boolean;
      readonly entries: readonly TableEntry[];
    };

/** One entry of a reported table: the key it is filed under and the record's own fields. */
export interface TableEntry {
  readonly key: Pid;
  readonly pid: Pid;
  readonly oid: number;
  /** nxt_process_type: the type of the record's first port (MAIN when it has none). */
  readonly type: number;
  readonly state: string;
  readonly useCount: number;
  readonly ports: number;
  /** Ports with a socket end still open. */
  readonly open: number;
  /** Messages queued on its ports, not yet written (each holds a port reference). */
  readonly queued: number;
}

/** The record of a dead process as its holder sees it when it handles the death. */
export interface DeadRecord {
  readonly pid: Pid;
  readonly type: number;
  readonly state: string;
  /** The records linked into its children list (main: a prototype's apps). */
  readonly children: readonly { readonly pid: Pid; readonly type: number }[];
}

/** The handshake steps that the ordering properties reason about (section 4 of the reference). */
export type HandshakeStep =
  | "child-fixup"
  | "whoami-sent"
  | "whoami-ok"
  | "created-sent"
  | "created-ok"
  | "creds-applied"
  | "no-new-privs"
  | "ready-sent"
  | "start";

/**
 * The calls a process makes. Each says whether it is a SCHEDULING POINT (returns `Sys<T>`:
 * another process may take any number of steps just before its effect) or LOCAL (touches
 * only the caller's own task: nothing another process can see changes, so running it
 * together with the caller's neighbouring point loses no interleaving another process could
 * tell apart). `exit` and `abort` are points too, though they never return: the backend
 * ends the process at its next step, so others may run between the last call and the death.
 */
export interface Kernel {
  // ---- local: the caller's own identity ----
  /** getpid() as seen from the caller's own pid namespace. */
  getpid(): Pid;
  getppid(): Pid;
  geteuid(): Uid;
  getegid(): Gid;

  /**
   * POINT: clone(SIGCHLD | flags) makes a process that can run at once. Returns the child's
   * pid as seen from the caller's namespace. The child starts with a deep copy of `image`
   * (the caller's whole plain-data state, as fork copies memory) and a copy of the fd
   * table, and later runs `child` with it.
   */
  clone(flags: number, image: Json, child: Continuation): Sys<Pid | Errno>;

  /** LOCAL: socketpair(AF_UNIX, SOCK_SEQPACKET) with SO_PASSCRED on both ends; nobody else holds them yet. */
  socketpair(): readonly [Fd, Fd] | Errno;
  /** POINT: non-blocking sendmsg with SCM_RIGHTS (up to 2 fds) and the caller's SCM_CREDENTIALS. */
  sendmsg(fd: Fd, msg: OutMessage): Sys<Errno | undefined>;
  /** POINT: non-blocking recvmsg: EAGAIN when empty, EOF when every peer end is closed. */
  recvmsg(fd: Fd): Sys<InMessage | Eof | Errno>;
  /**
   * POINT when the close releases a socket end whose peer another process holds (it then
   * reads EOF, its sends fail with EPIPE); otherwise LOCAL (another reference keeps the
   * file open, or nobody else can reach the pair): the backend decides which at the call.
   * Such a release is two points on the sim, as unix_release_sock is two steps: the end dies
   * (sends to it fail with EPIPE), then the peer is shut down (EOF) and reset if data was left.
   */
  close(fd: Fd): Sys<Errno | undefined>;
  /** LOCAL: level-triggered read readiness (epoll/uv_poll) of the caller's own fd: `onReadable` runs with arg = fd. */
  watchRead(fd: Fd, onReadable: string): Errno | undefined;
  unwatchRead(fd: Fd): void;

  /** POINT: waitpid(-1, WNOHANG) observes the children: a reaped child, 0 when none has exited, or ECHILD. */
  waitpid(): Sys<WaitStatus | 0 | Errno>;
  /**
   * POINT: kill(pid, sig) acts on another process. It only queues the signal: even a SIGKILLed
   * process dies at its own next step (a call it stands before may still complete).
   */
  kill(pid: Pid, sig: Signal): Sys<Errno | undefined>;
  /**
   * LOCAL: the caller's own signal table. Another process's kill reads it, but that kill is a
   * point of its own and lands before or after the caller's neighbouring point.
   */
  sigaction(sig: Signal, disposition: SignalDisposition): void;

  /**
   * LOCAL: an anonymous MAP_SHARED word (Unit's RPC stream counter page): created once,
   * inherited by every later clone, shared by all holders. Returns a handle.
   */
  mmapSharedCounter(initial: number): number;
  /** POINT: atomic fetch-and-add on a word other processes share: returns the value before the add. */
  sharedFetchAdd(handle: number, delta: number): Sys<number>;

  /** LOCAL: work posted to the caller's own event-engine queue (Unit's nxt_work_queue_add). */
  post(work: Continuation): void;
  /** LOCAL: a timer of the caller's own event engine. */
  setTimer(delayMs: number, work: Continuation): number;
  clearTimer(id: number): void;
  /** LOCAL: the caller's event engine time in ms (engine->timers.now), the clock its timers run on. */
  timersNow(): number;

  /**
   * LOCAL: the caller's own credentials (another process sees them only through a call of
   * its own, a point, e.g. main's /proc map writes, which precede these by the handshake).
   */
  setgroups(gids: readonly Gid[]): Errno | undefined;
  setgid(gid: Gid): Errno | undefined;
  setuid(uid: Uid): Errno | undefined;
  prctlNoNewPrivs(): Errno | undefined;
  /**
   * LOCAL: prctl(PR_SET_CHILD_SUBREAPER, 1): the caller adopts the orphans of its descendants
   * (in its pid namespace) instead of that namespace's init; they are then its children for
   * waitpid and SIGCHLD. A descendant's exit reads it, but that exit is a step of its own and
   * lands before or after the caller's neighbouring point (as with sigaction).
   */
  prctlChildSubreaper(): Errno | undefined;
  /**
   * POINT: unshare(flags): the caller moves into new namespaces (a new user namespace makes it
   * capable there). CLONE_NEWPID moves only its later children: the first one it forks is pid 1
   * of the new namespace. Others see it (a map written to it, a child it forks).
   */
  unshare(flags: number): Sys<Errno | undefined>;
  /** LOCAL: pipe(): [read end, write end], blocking, inherited by a fork; nobody else holds them yet. */
  pipe(): readonly [Fd, Fd] | Errno;
  /** POINT: read(fd, max) of a pipe: up to `max` bytes, EOF when it is empty and every write end is closed. */
  read(fd: Fd, max: number): Sys<number[] | Eof | Errno>;
  /** POINT: write(fd, bytes) to a pipe: the count written, EPIPE when no read end is left. */
  write(fd: Fd, bytes: readonly number[]): Sys<number | Errno>;
  /**
   * POINT, blocking: ppoll() of one fd for `events` (POLLIN, POLLOUT) for at most `timeoutMs`
   * of the caller's clock, with every signal blocked but SIGINT and SIGTERM (Unit's
   * nxt_process_pipe_timer). Returns the fd's revents (POLLERR and POLLHUP included), 0 when
   * the time ran out, EINTR when SIGINT or SIGTERM came first (handled later, as pending).
   */
  ppoll(fd: Fd, events: number, timeoutMs: number): Sys<number | Errno>;
  /** POINT: open+write+close of /proc/<pid>/<file> changes another process's user namespace; pid as seen from the caller. */
  writeProcFile(pid: Pid, file: ProcMapFile, content: string): Sys<Errno | undefined>;

  // ---- files: what Unit's cgroup code (src/nxt_cgroup.c) does with the cgroup2 mount ----
  /** POINT: mkdir(2); under the cgroup2 mount it makes a cgroup, which others see. */
  mkdir(path: string, mode: number): Sys<Errno | undefined>;
  /** POINT: rmdir(2); under the cgroup2 mount a cgroup with a live task or a child cgroup fails EBUSY. */
  rmdir(path: string): Sys<Errno | undefined>;
  /**
   * POINT: fopen(path, "we"), one unbuffered fprintf of `content`, fclose: Unit's write of a pid
   * to a cgroup's cgroup.procs, which moves that process (pid as seen from the caller).
   */
  writeFile(path: string, content: string): Sys<Errno | undefined>;
  /** LOCAL: the whole text of a file the caller reads about itself (/proc/self/cgroup). */
  readFile(path: string): string | Errno;

  /**
   * POINT (deferred): the process exits at its next step; the handler ends now (the simulated
   * kernel yields EXITED and is never resumed, the real one exits). Never returns.
   */
  exit(status: number): Sys<never>;
  /** POINT (deferred): a C-level hazard (failed assert, NULL handler, double unlink, use after free): SIGABRT. */
  abort(reason: string): never;

  /**
   * LOCAL: records a model-level fact in the run's trace. The event must be a fresh value that the
   * caller keeps no reference to: the simulated kernel records it without a copy.
   */
  trace(event: ModelEvent): void;
}

/**
 * Thrown by `Kernel.abort`, and by a call of a process that is gone or killed, to unwind the
 * model's stack; only a backend's dispatcher catches it.
 */
export class ProcessGone extends Error {
  constructor(readonly how: "exit" | "abort", readonly detail: string) {
    super(`process gone (${how}: ${detail})`);
  }
}

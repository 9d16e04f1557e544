// One run of a program on the real kernel, whatever the program: a fresh pid and mount
// namespace around it (its init is killed with the harness: pdeathsig), the program's first
// process started inside it by that init, every process's reports collected, and the
// namespace torn down at the end. A Unit scenario (run-real.ts) and a test program
// (run-program.ts) are both runs of this; what they do in between is theirs.

import { closeSync } from "node:fs";

import type { Continuation, Json } from "../lifecycle/kernel.ts";
import { CLONE_NEWNS, CLONE_NEWPID, SIGKILL } from "../lifecycle/kernel.ts";
import type { TraceBody, TraceEvent } from "../lifecycle/trace.ts";
import { freshKernelState, writeTmpJson, type InitBoot, type RunFds } from "./boot-record.ts";
import { childArgv, childEnv, setChildCommand } from "./child-command.ts";
import { processesOfRun } from "./leftovers.ts";
import { endConfinement, prepareConfinement, spawnConfined, type Confinement, type ConfinementReport } from "./confine.ts";
import type { IdExtent, IdRange } from "./confine-ids.ts";
import type { CgroupLimits } from "./run-cgroup.ts";
import * as native from "./native.ts";
import { normalise, type KnownProcess, type Normalised, type Received } from "./normalise.ts";
import { createCursor, threadBase, type PidCursor } from "./pid-cursor.ts";
import type { ProgramFds } from "./program.ts";
import { readStatus } from "./procfs.ts";
import { runPidMap, traceInRunNamespace, type PidMap } from "./run-namespace.ts";
import { Settling } from "./settle.ts";
import { decodeRecord } from "./wire.ts";

export interface RunSpec {
  /** The bundle every process of the run runs (real/program.ts childProgram). */
  program: ProgramFds;
  /** The first process: its plain-data state and the continuation it starts with. */
  image: Json;
  entry: Continuation;
  /** Its pid in the run's namespace (later clones get the pids after it, as in the sim). */
  firstPid: number;
  pidMax: number;
  /** Credentials it takes before anything runs (null: stays root). */
  become: { uid: number; gid: number } | null;
  /** Chaos mode (real/chaos.ts): every process sleeps up to this many µs at each scheduling point. */
  chaosMaxUs: number;
  /** Settled (settle.ts) once nothing was reported for this long. */
  idleMs: number;
  /** A run still going after this long is stopped. */
  timeoutMs: number;
  /** True once the run must end from outside (an exploration's --time, an interrupt): it is cut at once and torn down as at a timeout. */
  deadline?: () => boolean;
  /** Confined (real/confine.ts; default): ids the run's user namespace must have besides the base range. Null: host namespaces. */
  confine?: { namedIds: readonly IdRange[]; cgroupLimits?: CgroupLimits } | null;
  /** The model runs Unit's cgroup code (867a839f): the run gives it a cgroup2 of its own (real/run-cgroup-ns.ts). */
  unitCgroup?: boolean;
}

/** "timeout": the run's own time ran out; "budget": its deadline cut it (as a sim run cut by the clock). */
export type RunEnd = "exited" | "settled" | "timeout" | "budget";

const POLL_MS = 5;
let runs = 0;

export class RealRunSession {
  /** In every process's environment as NXTSIM_RUN (see real/leftovers.ts). */
  readonly runId = `${process.pid}-${++runs}`;
  readonly fds: RunFds;
  /** Every record the run's processes sent, with the sender's host pid. */
  readonly received: Received[] = [];
  /** Every process that said hello, by host pid. */
  readonly known = new Map<number, KnownProcess>();
  initExited = false;
  /** What the run was confined by (set by teardown). */
  confinement: ConfinementReport | null = null;
  private readonly confining: Confinement | null;
  private channelClosed = false;
  private wasCut = false;
  private readonly startNs = process.hrtime.bigint();
  private readonly init: native.Spawned;
  private readonly harnessEnd: number;
  private readonly cursor: PidCursor;
  private readonly settling: Settling;
  private readonly channel: native.Watcher;
  private readonly initWatch: native.Watcher;

  constructor(private readonly spec: RunSpec) {
    setChildCommand(spec.program, this.runId);
    const [harnessEnd, sharedEnd] = native.socketpair();
    this.harnessEnd = harnessEnd;
    this.fds = { report: sharedEnd, ticket: native.sharedCounterCreate(1), mailbox: writeTmpJson(null), ...spec.program };
    this.cursor = createCursor(spec.firstPid - 1, spec.pidMax);
    const runStartNs = this.startNs.toString();
    const confine = spec.confine === undefined ? { namedIds: [] } : spec.confine;
    const boot: InitBoot = {
      role: "init",
      runStartNs,
      fds: this.fds,
      confined: confine !== null,
      ...(spec.unitCgroup === true ? { unitCgroup: true } : {}),
      // The first process gets firstPid (the cursor's next), its children the pids after it.
      unitd: { role: "unit", runStartNs, fds: this.fds, image: spec.image, entry: spec.entry, kernel: freshKernelState(this.cursor, spec.chaosMaxUs), become: spec.become },
    };
    const bootFd = writeTmpJson(boot);
    try {
      const init: native.SpawnOptions = {
        file: process.execPath,
        argv: childArgv(),
        envp: childEnv(bootFd),
        cloneFlags: CLONE_NEWPID | CLONE_NEWNS,
        keepFds: [this.fds.report, this.fds.ticket, this.fds.mailbox, this.fds.script, this.fds.addon, this.cursor.fd, bootFd],
        pdeathsig: SIGKILL,
        nsLastPid: threadBase(this.cursor.pidMax),
      };
      this.confining = confine === null ? null : prepareConfinement(this.runId, confine.namedIds, confine.cgroupLimits, spec.unitCgroup === true);
      this.init = this.confining === null ? native.spawn(init) : spawnConfined(init, this.confining);
    } finally {
      closeSync(bootFd);
      native.close(sharedEnd);
    }
    this.settling = new Settling(() => this.elapsed(), spec.idleMs);
    this.channel = native.watchReadable(harnessEnd, () => this.collect());
    this.initWatch = native.watchReadable(this.init.pidfd, () => {
      this.initExited = true;
      this.initWatch.stop();
    });
  }

  /** The run's id extents (run id -> host id); none when not confined (the run's ids are the host's). */
  idMap(): IdExtent[] {
    return this.confining?.idMap ?? [];
  }

  /** ms since the run started. */
  elapsed(): number {
    return Number((process.hrtime.bigint() - this.startNs) / 1_000_000n);
  }

  /** Nothing more will happen by itself (settle.ts). */
  settled(): boolean {
    return this.settling.settled([...this.known.keys()], () => processesOfRun(this.runId).filter((pid) => pid !== this.init.pid && !this.known.has(pid)).length);
  }

  /** Something the harness did that the run has to settle after. */
  touch(): void {
    this.settling.touch();
  }

  /** Records an event of the harness itself (host pid 0) in the run's order. */
  harnessEvent(body: TraceBody): void {
    this.received.push({ from: 0, record: { r: "event", ticket: native.sharedFetchAdd(this.fds.ticket, 1), t: this.elapsed(), nspid: 0, ptype: "", body } });
  }

  /** Waits until `done` (true), or the run's timeout or deadline (false: lateEnd says which). */
  async until(done: () => boolean): Promise<boolean> {
    return waitFor(done, () => this.elapsed() > this.spec.timeoutMs || this.cut());
  }

  /** Why a wait of `until` gave up. */
  lateEnd(): "timeout" | "budget" {
    return this.wasCut ? "budget" : "timeout";
  }

  /** Waits until everything exited or the run settled. */
  async end(): Promise<RunEnd> {
    if (!(await this.until(() => this.initExited || this.settled()))) return this.lateEnd();
    return this.initExited ? "exited" : "settled";
  }

  private cut(): boolean {
    this.wasCut ||= this.spec.deadline?.() === true;
    return this.wasCut;
  }

  /** Kills what is left (the init takes its namespace with it) and closes everything the run opened. */
  async teardown(): Promise<void> {
    // Not cut short by the deadline: what the run leaves must go whatever ended it.
    const late = (): boolean => this.elapsed() > this.spec.timeoutMs + 5000;
    if (!this.initExited) native.pidfdSendSignal(this.init.pidfd, SIGKILL);
    await waitFor(() => native.pidfdWait(this.init.pidfd) !== null, late);
    this.initWatch.stop();
    native.close(this.init.pidfd);
    // Every writer is gone now: read what is left up to EOF.
    await waitFor(() => this.channelClosed, late);
    this.channel.stop();
    native.close(this.harnessEnd);
    native.close(this.fds.ticket);
    native.close(this.cursor.fd);
    closeSync(this.fds.mailbox);
    // The init is reaped: its namespace's processes are gone, the run's cgroup empties.
    this.confinement = await endConfinement(this.confining, late, this.spec.unitCgroup === true);
  }

  /** The finished run in the sim's vocabulary, named by pids in the run's namespace. */
  normalised(): { norm: Normalised; toRun: PidMap; trace: TraceEvent[] } {
    const norm = normalise(this.received, this.known, this.init.pid);
    const toRun = runPidMap(this.known, this.init.pid);
    return { norm, toRun, trace: traceInRunNamespace(norm.trace, toRun) };
  }

  private collect(): void {
    for (;;) {
      const got = native.recvmsg(this.harnessEnd, 1 << 20);
      if (got === null) return;
      if (got.eof) {
        this.channelClosed = true;
        this.channel.stop();
        return;
      }
      const from = got.cred?.pid ?? 0;
      const record = decodeRecord(got.data);
      this.received.push({ from, record });
      if (record.r === "hello") {
        // The host's /proc shows every pid level (the process's own /proc only its own).
        const status = readStatus(from);
        this.known.set(from, { hostPid: from, ppid: status?.ppid ?? 0, nspids: status?.nspids ?? [from], ns: record.ns, uid: record.uid, gid: record.gid });
      }
      this.settling.observe(from, record, this.known);
    }
  }
}

/** Polls `done` until it holds (true) or `giveUp` does (false). */
async function waitFor(done: () => boolean, giveUp: () => boolean): Promise<boolean> {
  while (!done()) {
    if (giveUp()) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

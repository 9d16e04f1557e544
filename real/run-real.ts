// One run of a scenario on the real kernel (a run of real/run-session.ts): unitd started in
// the run's own namespaces, the scenario's actions applied, and kernel facts read from /proc
// before the namespace is torn down. The run's trace and facts name processes by their pids
// in the run's namespace, the model's host (real/run-namespace.ts).
//
// Actions: the sim fires an action at its virtual time; here an action fires no earlier
// than its time AND once the run has settled (no report for `idleMs`), so that it meets the
// same settled system the sim's times were chosen for.

import { ftruncateSync, writeSync } from "node:fs";

import type { KernelFacts } from "../properties/check.ts";
import type { Json, Signal } from "../lifecycle/kernel.ts";
import { UNITD_ENTRY } from "../lifecycle/index.ts";
import type { TraceBody, TraceEvent } from "../lifecycle/trace.ts";
import { signalNumber, type Scenario, type ScenarioAction } from "../catalog/scenario.ts";
import { unitdImageFor, upstreamOf, type ModelSwitches } from "../harness/model-options.ts";
import { rolesFromTrace } from "../harness/roles.ts";
import { childProgram } from "./program.ts";
import type { ConfinementReport } from "./confine.ts";
import { hostIdToRun, idMapToRun, idsNamedBy, type IdExtent } from "./confine-ids.ts";
import { normalise, type KnownProcess } from "./normalise.ts";
import { readIdMaps, readNamespaces, readSocketFds, readStatus } from "./procfs.ts";
import { factsInRunNamespace } from "./run-namespace.ts";
import { RealRunSession, type RunEnd } from "./run-session.ts";
import type { MailboxLetter } from "./unit-process.ts";

export interface RealRunOptions extends ModelSwitches {
  /** A run still going after this long is stopped (and is not quiescent). */
  timeoutMs?: number;
  /** True once the run must end from outside (an exploration's --time, an interrupt): it ends at once as "budget". */
  deadline?: () => boolean;
  /** The run has settled (see settle.ts) once nothing was reported for this long. */
  idleMs?: number;
  /** Real ms per scenario ms for action times (actions also wait for the run to settle). */
  timeScale?: number;
  /** Called with the run's id once its init is started (to find its processes from outside). */
  onStart?: (runId: string) => void;
  /** Chaos mode (real/chaos.ts): every real process sleeps up to this many µs at each scheduling point. */
  chaosMaxUs?: number;
  /** Run in the host's user, network and IPC namespaces with its mounts writable (default false: confined, real/confine.ts). */
  unconfined?: boolean;
}

export interface RealRun {
  trace: TraceEvent[];
  facts: KernelFacts[];
  /** Ended because nothing was left to do (everything exited, or settled after the last action). */
  quiescent: boolean;
  /** "timeout": past its own time (timeoutMs); "budget": cut by its deadline, not judged (real/run-session.ts). */
  reason: RunEnd;
  /** unitd's main process (0 if it never said hello). */
  mainPid: number;
  wallMs: number;
  /** In every process's environment as NXTSIM_RUN (see real/leftovers.ts). */
  runId: string;
  /** Id maps of the processes alive at the end, by pid. */
  idMaps: Map<number, IdMaps>;
  /** The true host pid of each process (the run's pids are what `trace` and `facts` use). */
  hostPids: Map<number, number>;
  /** What the run could touch (real/confine.ts), its cgroup's caps included. */
  confinement: ConfinementReport;
}

/** A real run's own time unless --run-time says otherwise (a shipped scenario settles in about 2 s). */
export const DEFAULT_REAL_RUN_SECONDS = 20;
const DEFAULT_IDLE_MS = 150;

export async function runScenarioOnReal(scenario: Scenario, options: RealRunOptions = {}): Promise<RealRun> {
  const timeScale = options.timeScale ?? 1;
  const session = new RealRunSession({
    program: childProgram(),
    image: unitdImageFor(scenario, options),
    entry: UNITD_ENTRY,
    firstPid: scenario.unitd.firstPid,
    pidMax: scenario.unitd.pidMax,
    become: { uid: scenario.unitd.euid, gid: scenario.unitd.egid },
    chaosMaxUs: options.chaosMaxUs ?? 0,
    idleMs: options.idleMs ?? DEFAULT_IDLE_MS,
    timeoutMs: options.timeoutMs ?? DEFAULT_REAL_RUN_SECONDS * 1000,
    confine: options.unconfined === true ? null : { namedIds: idsNamedBy(scenario) },
    unitCgroup: upstreamOf(options).includes("867a839f"),
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
  });
  options.onStart?.(session.runId);

  let reason: RunEnd = "timeout";
  let facts = new Map<number, LiveFacts>();
  try {
    let inTime = true;
    // In time order, as the sim's clock fires them (a stable sort keeps ties in file order).
    const actions = [...scenario.actions].sort((a, b) => a.at - b.at);
    for (const action of actions) {
      inTime = await session.until(() => session.initExited || (session.elapsed() >= action.at * timeScale && session.settled()));
      if (!inTime || session.initExited) break;
      session.harnessEvent({ kind: "action", action: action as unknown as Json });
      applyAction(action, session);
      session.touch(); // the run has to settle again after what the action started
    }
    reason = inTime ? await session.end() : session.lateEnd();
  } finally {
    // Facts of the living are read before the namespace goes.
    facts = liveFacts(session.known, session.idMap());
    await session.teardown();
  }

  if (process.env["NXTSIM_REAL_DUMP"]) (await import("node:fs")).writeFileSync(process.env["NXTSIM_REAL_DUMP"], session.received.map((r) => JSON.stringify(r)).join("\n"));
  const { norm, toRun, trace } = session.normalised();
  const mainPid = rolesFromTrace(trace).find((r) => r.type === "main")?.pid ?? 0;
  const hostFacts = [...session.known.values()].map((p) => factsFor(p, facts.get(p.hostPid), norm));
  return {
    trace,
    facts: factsInRunNamespace(hostFacts, toRun).sort((a, b) => a.pid - b.pid),
    quiescent: reason === "exited" || reason === "settled",
    reason,
    mainPid,
    wallMs: session.elapsed(),
    runId: session.runId,
    idMaps: new Map([...facts].map(([pid, f]) => [toRun(pid), f.maps])),
    hostPids: new Map([...session.known.keys()].map((host) => [toRun(host), host])),
    confinement: session.confinement!,
  };
}

/** A live process's id maps, as /proc shows them at the end of the run. */
export interface IdMaps {
  uidMap: string;
  gidMap: string;
  setgroups: string;
}

interface LiveFacts {
  maps: IdMaps;
  state: string;
  ppid: number;
  uid: number;
  gid: number;
  noNewPrivs: boolean;
  ns: KernelFacts["ns"];
  sockets: { fd: number; inode: number }[];
}

/** Read from the host's /proc; ids (host ids in a confined run) as the run's root sees them (real/confine-ids.ts). */
function liveFacts(known: ReadonlyMap<number, KnownProcess>, idMap: readonly IdExtent[]): Map<number, LiveFacts> {
  const out = new Map<number, LiveFacts>();
  for (const pid of known.keys()) {
    const status = readStatus(pid);
    if (status === null) continue;
    const host = readIdMaps(pid);
    const maps = { uidMap: idMapToRun(idMap, host.uidMap), gidMap: idMapToRun(idMap, host.gidMap), setgroups: host.setgroups };
    const ids = { uid: hostIdToRun(idMap, status.uid), gid: hostIdToRun(idMap, status.gid) };
    out.set(pid, { maps, state: status.state, ppid: status.ppid, ...ids, noNewPrivs: status.noNewPrivs, ns: readNamespaces(pid), sockets: readSocketFds(pid) });
  }
  return out;
}

function factsFor(p: KnownProcess, live: LiveFacts | undefined, norm: ReturnType<typeof normalise>): KernelFacts {
  const ptype = [...norm.trace].reverse().find((e) => e.pid === p.hostPid && e.ptype !== "")?.ptype ?? "";
  const exit = norm.exits.get(p.hostPid) ?? null;
  const status: KernelFacts["status"] = live === undefined ? "reaped" : live.state === "Z" ? "zombie" : "running";
  const fds = (live?.sockets ?? []).flatMap(({ fd, inode }) => {
    const end = norm.ends.get(inode);
    return end === undefined ? [] : [{ fd, kind: "socket" as const, sock: end[0], end: end[1] }];
  });
  return {
    pid: p.hostPid,
    nspids: p.nspids,
    ppid: live?.ppid ?? p.ppid,
    ptype,
    status,
    exit: status === "running" ? null : exit,
    uid: live?.uid ?? p.uid,
    gid: live?.gid ?? p.gid,
    noNewPrivs: live?.noNewPrivs ?? false,
    ns: live?.ns ?? p.ns,
    fds,
  };
}

function applyAction(action: ScenarioAction, session: RealRunSession): void {
  const { received, known, fds } = session;
  const event = (body: TraceBody): void => session.harnessEvent(body);
  const alive = (pid: number): boolean => readStatus(pid) !== null && readStatus(pid)!.state !== "Z";
  const roles = rolesFromTrace(normalise(received, known, -1).trace);
  const live = (type: string, app: string | null): number[] =>
    roles.filter((r) => r.type === type && (app === null || r.app === app) && alive(r.pid)).sort((a, b) => a.since - b.since).map((r) => r.pid);
  if (action.do === "reconfigure") {
    const controller = live("controller", null)[0];
    if (controller === undefined) return;
    const letter: MailboxLetter = { to: known.get(controller)?.nspids.at(-1) ?? controller, work: { fn: "controllerReconfigure", arg: action.config } };
    writeLetter(fds.mailbox, letter);
    event({ kind: "action", action: { post: controller, fn: letter.work.fn } });
    process.kill(controller, "SIGUSR2");
    return;
  }
  if (action.do === "request") {
    const router = live("router", null)[0];
    if (router === undefined) return;
    const work = { fn: "routerProcessHttpRequest", arg: { app: action.app, count: action.count, duration: action.duration } };
    writeLetter(fds.mailbox, { to: known.get(router)?.nspids.at(-1) ?? router, work });
    event({ kind: "action", action: { post: router, fn: work.fn } });
    process.kill(router, "SIGUSR2");
    return;
  }
  const target = action.target;
  const pid = live(target.role, target.app)[target.role === "app" ? target.index : 0];
  if (pid === undefined) return;
  const sig = signalNumber(action.signal) as Signal;
  event({ kind: "action", action: { signal: sig, pid } });
  process.kill(pid, sig);
}

function writeLetter(fd: number, letter: MailboxLetter): void {
  const data = Buffer.from(JSON.stringify(letter));
  ftruncateSync(fd, 0);
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off, off);
}

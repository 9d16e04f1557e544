// Sim against real: what two runs of one scenario must agree on, whichever kernel ran them.
// Processes are named by type, application and birth order ("app(a)#1"), never by pid, since the kernels
// number them differently; each aspect is a sorted list of lines, and a difference is shown
// as the lines only one side has.

import type { TraceEvent } from "../lifecycle/trace.ts";
import type { RunView } from "../properties/check.ts";
import { rolesFromTrace } from "./roles.ts";

export type Aspect = "process tree" | "port holdings" | "handshake order" | "own pids" | "REMOVE_PID after a kill";

export interface AspectDiff {
  aspect: Aspect;
  onlySim: string[];
  onlyReal: string[];
}

export interface ConformanceOptions {
  /** Real pids at or above this were picked by the kernel, not by the model's clone (see real/pid-cursor.ts). */
  kernelPickedFrom: number;
}

const NXT_PORT_MSG_REMOVE_PID = 18;

export function compareRuns(sim: RunView, real: RunView, options: ConformanceOptions): AspectDiff[] {
  const s = describeRun(sim);
  const r = describeRun(real);
  // Pids the real kernel picked (an unprivileged cloner cannot choose) are not compared.
  const picked = new Set(r.ownPids.filter(([, pid]) => pid >= options.kernelPickedFrom).map(([n]) => n));
  const pidLines = (list: [string, number][]): string[] => list.filter(([n]) => !picked.has(n)).map(([n, pid]) => `${n} is pid ${pid} in its namespace`);
  const aspects: [Aspect, string[], string[]][] = [
    ["process tree", s.tree, r.tree],
    ["port holdings", s.ports, r.ports],
    ["handshake order", s.handshakes, r.handshakes],
    ["own pids", pidLines(s.ownPids), pidLines(r.ownPids)],
    ["REMOVE_PID after a kill", s.removePids, r.removePids],
  ];
  const out: AspectDiff[] = [];
  for (const [aspect, a, b] of aspects) {
    const diff = difference(a, b);
    if (diff.onlySim.length > 0 || diff.onlyReal.length > 0) out.push({ aspect, ...diff });
  }
  return out;
}

/** One line per difference, "- sim" and "+ real", grouped by aspect. */
export function formatDiff(diffs: readonly AspectDiff[]): string {
  return diffs.map((d) => [`${d.aspect}:`, ...d.onlySim.map((l) => `  - sim:  ${l}`), ...d.onlyReal.map((l) => `  + real: ${l}`)].join("\n")).join("\n");
}

interface Described {
  tree: string[];
  ports: string[];
  handshakes: string[];
  ownPids: [name: string, pid: number][];
  removePids: string[];
}

function describeRun(run: RunView): Described {
  const names = nameProcesses(run);
  const name = (pid: number): string => names.get(pid) ?? (pid === 0 ? "harness" : "unknown");
  const named = run.facts.filter((f) => names.has(f.pid));
  return {
    tree: named.map((f) => `${name(f.pid)} child of ${names.get(f.ppid) ?? "init"}`),
    ports: portHoldings(run, name),
    handshakes: handshakes(run.trace, name),
    ownPids: named.map((f) => [name(f.pid), f.nspids.at(-1) ?? 0]),
    removePids: removePidsAfterKill(run.trace, name),
  };
}

/** type(app)#n, n in order of first report among its kind (apps of one application may race). */
function nameProcesses(run: RunView): Map<number, string> {
  const names = new Map<number, string>();
  const counts = new Map<string, number>();
  for (const role of rolesFromTrace(run.trace)) {
    if (names.has(role.pid)) continue;
    const kind = role.app === null ? role.type : `${role.type}(${role.app})`;
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    names.set(role.pid, `${kind}#${n}`);
  }
  return names;
}

/** For each process alive at the end: the processes holding the other end of each of its sockets. */
function portHoldings(run: RunView, name: (pid: number) => string): string[] {
  if (!run.quiescent) return [];
  const live = run.facts.filter((f) => f.status === "running");
  const holders = new Map<string, string[]>();
  for (const f of live) for (const d of f.fds) if (d.kind === "socket") holders.set(`${d.sock}/${d.end}`, [...(holders.get(`${d.sock}/${d.end}`) ?? []), name(f.pid)]);
  return live.map((f) => {
    const peers = f.fds.filter((d) => d.kind === "socket").map((d) => (holders.get(`${d.sock}/${1 - d.end}`) ?? ["nobody"]).sort().join("+"));
    return `${name(f.pid)} holds ports to [${peers.sort().join(", ")}]`;
  });
}

function handshakes(trace: readonly TraceEvent[], name: (pid: number) => string): string[] {
  const steps = new Map<number, string[]>();
  for (const e of trace) {
    if (e.kind !== "model" || e.event.what !== "handshake") continue;
    steps.set(e.pid, [...(steps.get(e.pid) ?? []), e.event.step]);
  }
  return [...steps].map(([pid, s]) => `${name(pid)}: ${s.join(" > ")}`);
}

/** REMOVE_PID datagrams received after the first harness signal action: who told whom about whom. */
function removePidsAfterKill(trace: readonly TraceEvent[], name: (pid: number) => string): string[] {
  const kill = trace.findIndex((e) => e.kind === "action" && typeof e.action === "object" && e.action !== null && !Array.isArray(e.action) && e.action["signal"] === 9);
  if (kill < 0) return [];
  return trace.slice(kill).flatMap((e) => {
    if (e.kind !== "recv") return [];
    const msg = e.msg as { type?: number } | null;
    if (msg?.type !== NXT_PORT_MSG_REMOVE_PID) return [];
    return [`${name(e.from)} told ${name(e.pid)}`];
  });
}

function difference(a: readonly string[], b: readonly string[]): { onlySim: string[]; onlyReal: string[] } {
  const left = [...a].sort();
  const right = [...b].sort();
  const onlySim: string[] = [];
  const onlyReal: string[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length || (i < left.length && left[i]! < right[j]!)) onlySim.push(left[i++]!);
    else if (i >= left.length || right[j]! < left[i]!) onlyReal.push(right[j++]!);
    else {
      i++;
      j++;
    }
  }
  return { onlySim, onlyReal };
}

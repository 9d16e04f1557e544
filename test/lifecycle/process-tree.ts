// The process tree a run made, read from its trace and its end facts the same way on both
// backends: who forked whom, each process's pid in its own namespace, its parent at the end,
// who reaped it. Unit 1.35's double fork shows here (test/lifecycle/unit-versions.test.ts,
// test/real/unit-versions.test.ts).

import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { Scenario } from "../../catalog/scenario.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { SCENARIOS_DIR } from "../../catalog/shipped-scenarios.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";

/** one-app-isolated (a prototype in new pid, user, uts and net namespaces, two apps), shut down by SIGQUIT at 2 s. */
export function isolatedWithShutdown(): Scenario {
  const json = JSON.parse(readFileSync(join(SCENARIOS_DIR, "one-app-isolated.json"), "utf8")) as { actions: unknown[] };
  json.actions = [{ at: 2000, do: "signal", target: { role: "main" }, signal: "SIGQUIT" }];
  const parsed = parseScenario(json, "one-app-isolated with a SIGQUIT at 2 s");
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.scenario;
}

/** What the tree needs of a process's end facts (sim/facts.ts ProcessFacts, real KernelFacts). */
export interface TreeFacts {
  readonly pid: number;
  readonly nspids: readonly number[];
  readonly ppid: number;
  readonly ptype: string;
  readonly exit: { readonly status: number | null; readonly signal: number | null } | null;
}

export interface TreeEntry {
  /** Its type, or "no type" for a process that never set one (1.35's intermediate child). */
  readonly who: string;
  /** getpid() in its own namespace. */
  readonly nspid: number;
  /** Who forked it ("host" for unitd's main). */
  readonly forkedBy: string;
  /** Its parent at the end (after any reparenting), "host" when that is outside the run. */
  readonly parentAtEnd: string;
  /** Who reaped it, if it was reaped within the run. */
  readonly reapedBy: string | null;
  readonly exitStatus: number | null;
}

/** The processes of a run in the order they were forked (main first). */
export function processTree(trace: readonly TraceEvent[], facts: readonly TreeFacts[]): TreeEntry[] {
  const byPid = new Map(facts.map((f) => [f.pid, f]));
  const name = (pid: number | undefined): string => {
    const f = pid === undefined ? undefined : byPid.get(pid);
    return f === undefined ? "host" : f.ptype === "" ? "no type" : f.ptype;
  };
  const forkedBy = new Map<number, number>();
  const order: number[] = [];
  for (const e of trace) {
    if (e.kind !== "syscall" || e.call !== "clone" || typeof e.ret !== "number") continue;
    const caller = byPid.get(e.pid);
    if (caller === undefined) continue;
    // clone returns the pid as the caller's namespace numbers it.
    const depth = caller.nspids.length - 1;
    const child = facts.find((f) => f.nspids.length > depth && f.nspids[depth] === e.ret && !forkedBy.has(f.pid));
    if (child === undefined) continue;
    forkedBy.set(child.pid, e.pid);
    order.push(child.pid);
  }
  const reapedBy = new Map<number, number>();
  for (const e of trace) if (e.kind === "reap") reapedBy.set(e.child, e.pid);
  const first = facts.filter((f) => !forkedBy.has(f.pid) && f.ptype === "main").map((f) => f.pid);
  return [...first, ...order].map((pid) => {
    const f = byPid.get(pid)!;
    const reaper = reapedBy.get(pid);
    return {
      who: name(pid),
      nspid: f.nspids.at(-1)!,
      forkedBy: name(forkedBy.get(pid)),
      parentAtEnd: name(f.ppid),
      reapedBy: reaper === undefined ? null : name(reaper),
      exitStatus: f.exit?.status ?? null,
    };
  });
}

/**
 * The prototype's handshake as it happened: its handshake steps in order, and the names (by
 * Unit's own table of the version, properties/unit-rules.ts) of the port messages it sent.
 */
export function prototypeHandshake(trace: readonly TraceEvent[], codes: readonly string[]): { steps: string[]; sent: string[] } {
  const proto = trace.find((e) => e.kind === "model" && e.event.what === "type" && e.event.type === "prototype")?.pid;
  const steps: string[] = [];
  const sent: string[] = [];
  for (const e of trace) {
    if (e.pid !== proto) continue;
    if (e.kind === "model" && e.event.what === "handshake") steps.push(e.event.step);
    if (e.kind === "send" && typeof (e.msg as { type?: unknown } | null)?.type === "number") sent.push(codes[(e.msg as { type: number }).type] ?? "?");
  }
  return { steps, sent };
}

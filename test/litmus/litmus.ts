// A litmus test (in the spirit of memory-model litmus tests): a small multi-process program
// written against the Kernel interface, and the SET of outcomes Linux allows for it, each
// with why. An outcome is a small JSON value computed from what the processes logged
// (k.trace({what: "log"})), so the same function reads a sim trace and a real one.

import type { Json } from "../../lifecycle/kernel.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { Handler } from "../sim/toy-program.ts";

/** What each process logged, in its own order, by the role it logged under. */
export type RoleLogs = Readonly<Record<string, readonly Json[]>>;

export interface AllowedOutcome {
  readonly outcome: Json;
  /** One line from Linux semantics: why a run can end so. */
  readonly why: string;
}

export interface Litmus {
  /** Short kebab-case name (test names, the real-kernel table). */
  readonly name: string;
  /** What it shows, in one line. */
  readonly title: string;
  /** What the first process (role R, uid 0, root namespaces) runs: the handler named after the litmus. */
  readonly main: Handler;
  /** Its other handlers; names are unique across the whole suite (one program runs them all on the real kernel). */
  readonly handlers?: Readonly<Record<string, Handler>>;
  readonly outcome: (logs: RoleLogs) => Json;
  /** Every outcome Linux allows (the sim's exhaustive search must give exactly these, unless `departure`). */
  readonly allowed: readonly AllowedOutcome[];
  /**
   * A known difference of the simulated kernel from Linux: the exact set the sim gives
   * instead, and why (the real kernel is still held to `allowed`).
   */
  readonly departure?: { readonly sim: readonly Json[]; readonly why: string };
  /** Chaos on the real kernel (µs of random sleep at each scheduling point); the suite's default if absent. */
  readonly chaosMaxUs?: number;
}

/** A canonical text of an outcome, for sets (object keys sorted). */
export function outcomeKey(outcome: Json): string {
  return JSON.stringify(outcome, (_k, v: Json) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** The logs of a trace by role: each log's text is the JSON [role, value] that kit.ts `log` writes. */
export function roleLogs(trace: readonly TraceEvent[]): Record<string, Json[]> {
  const logs: Record<string, Json[]> = {};
  for (const e of trace) {
    if (e.kind !== "model" || e.event.what !== "log") continue;
    const [role, value] = JSON.parse(e.event.text) as [string, Json];
    (logs[role] ??= []).push(value);
  }
  return logs;
}

/** The one value a role logged (the outcome of most litmus tests); "none" if it logged nothing. */
export function only(logs: RoleLogs, role: string): Json {
  const values = logs[role] ?? [];
  if (values.length > 1) throw new Error(`${role} logged ${values.length} values, expected one`);
  return values[0] ?? "none";
}

/** Everything a role logged, in order (the outcome of a litmus whose process logs several times). */
export function every(logs: RoleLogs, role: string): Json {
  return [...(logs[role] ?? [])];
}

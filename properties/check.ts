// What a property is: a named claim checked over one finished run, reading only what every
// backend reports (the trace events and the kernel's facts about processes).

import type { UnitRulesVersion } from "./unit-rules.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";

/** Kernel facts about one process at the end of a run (host ids; sim and real report these). */
export interface KernelFacts {
  pid: number;
  nspids: number[];
  ppid: number;
  ptype: string;
  status: "running" | "zombie" | "reaped";
  exit: { status: number | null; signal: number | null } | null;
  uid: number;
  gid: number;
  noNewPrivs: boolean;
  ns: Record<"mnt" | "net" | "uts" | "ipc" | "cgroup" | "pid" | "user", number>;
  fds: { fd: number; kind: "socket" | "pipe" | "null"; sock: number; end: 0 | 1 }[];
}

export interface RunView {
  readonly trace: readonly TraceEvent[];
  readonly facts: readonly KernelFacts[];
  /** The run ended because nothing was left to do (not because of a step budget). */
  readonly quiescent: boolean;
  /** The build had PR_SET_NO_NEW_PRIVS compiled in. */
  readonly havePrSetNoNewPrivs: boolean;
  /** The configuration unitd started with (the controller's, sent to every router that greets it). */
  readonly initialConfig: unknown;
  /** The Unit version run (default c8d9106a); its trace comes in c8d9106a's message codes. */
  readonly unit?: UnitRulesVersion;
}

export interface Violation {
  readonly check: string;
  /** One line: what went wrong, with the pids and steps involved. */
  readonly reason: string;
  /** Step of the trace at which it shows (or -1 for an end-of-run fact). */
  readonly step: number;
}

export interface Check {
  readonly name: string;
  /** One line: what the check claims of every run. */
  readonly claim: string;
  readonly check: (run: RunView) => Violation[];
}

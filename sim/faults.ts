// Fault injection. Each fault point is a recorded choice (1 = inject, 0 = don't) drawn at
// the configured rate, and the kind of failure is a second choice; so a replayed schedule
// reproduces the faults and a shrinker can switch any of them off by writing 0.

import type { ErrnoName, Json } from "../lifecycle/kernel.ts";
import type { Chooser } from "./random.ts";
import type { Actor, TraceRecorder } from "./trace.ts";

/**
 * Per-run fault rates. sendFail is what a live socket can really return (EAGAIN, queue full);
 * sendLost (EPIPE on a socket whose peer is still there) cannot happen on Linux and stands
 * for a message lost on the way: it is off unless asked for.
 */
export interface FaultRates {
  cloneFail: number;
  sendFail: number;
  sendLost: number;
  killAtStep: number;
  mapWriteFail: number;
}

export const FAULT_KINDS = ["cloneFail", "sendFail", "sendLost", "killAtStep", "mapWriteFail"] as const satisfies readonly (keyof FaultRates)[];

export function noFaults(): FaultRates {
  return { cloneFail: 0, sendFail: 0, sendLost: 0, killAtStep: 0, mapWriteFail: 0 };
}

export function faultRates(partial: Partial<FaultRates> = {}): FaultRates {
  const rates = noFaults();
  for (const kind of FAULT_KINDS) rates[kind] = partial[kind] ?? 0;
  for (const [name, p] of Object.entries(rates)) {
    if (!(p >= 0 && p <= 1)) throw new Error(`fault rate ${name} must be in [0, 1], got ${p}`);
  }
  return rates;
}

export class FaultInjector {
  constructor(
    readonly rates: FaultRates,
    private readonly chooser: Chooser,
    private readonly trace: TraceRecorder,
  ) {}

  /** clone fails with EAGAIN (pid/thread limits) or ENOMEM. */
  clone(actor: Actor): ErrnoName | null {
    return this.failWith(actor, "clone", this.rates.cloneFail, ["EAGAIN", "ENOMEM"], {});
  }

  /**
   * sendmsg fails with EAGAIN (full buffer), or with EPIPE when a lost message is injected.
   * Asked only for a live peer: a send to a closed peer is a plain EPIPE.
   */
  send(actor: Actor, fd: number, sock: number): ErrnoName | null {
    return (
      this.failWith(actor, "send", this.rates.sendFail, ["EAGAIN"], { fd, sock }) ??
      this.failWith(actor, "send-lost", this.rates.sendLost, ["EPIPE"], { fd, sock })
    );
  }

  /** A /proc/<pid>/{uid_map,gid_map,setgroups} write fails with EINVAL or EPERM. */
  mapWrite(actor: Actor, pid: number, file: string): ErrnoName | null {
    return this.failWith(actor, "map-write", this.rates.mapWriteFail, ["EINVAL", "EPERM"], { pid, file });
  }

  /** Before a step: maybe pick a victim among `candidates` (host pids, sorted) to SIGKILL. */
  killVictim(harness: Actor, candidates: readonly number[]): number | null {
    if (candidates.length === 0 || !this.chooser.fault(this.rates.killAtStep)) return null;
    const victim = candidates[this.chooser.choose(candidates.length, "fault:kill-victim")]!;
    this.trace.record(harness, { kind: "fault", fault: "kill", detail: { pid: victim, sig: 9 } });
    return victim;
  }

  private failWith(actor: Actor, fault: string, rate: number, errnos: readonly ErrnoName[], detail: { [key: string]: Json }): ErrnoName | null {
    if (!this.chooser.fault(rate)) return null;
    const e = errnos[this.chooser.choose(errnos.length, `fault:${fault}`)]!;
    this.trace.record(actor, { kind: "fault", fault, detail: { ...detail, errno: e } });
    return e;
  }
}

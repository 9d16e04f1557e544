// Per-process signal state: dispositions and the pending set. Standard signals do not
// queue, so two SIGCHLD raised before delivery are one pending SIGCHLD.

import type { Signal, SignalDisposition } from "../lifecycle/kernel.ts";
import { SIGABRT, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGSEGV, SIGTERM, SIGUSR1 } from "../lifecycle/kernel.ts";

export type DefaultAction = "terminate" | "core" | "ignore";

export function defaultAction(sig: Signal): DefaultAction {
  switch (sig) {
    case SIGCHLD:
      return "ignore";
    case SIGQUIT:
    case SIGABRT:
    case SIGSEGV:
      return "core";
    case SIGHUP:
    case SIGINT:
    case SIGTERM:
    case SIGUSR1:
    case SIGKILL:
      return "terminate";
  }
}

export class SignalState {
  private readonly pending = new Set<Signal>();
  private readonly dispositions = new Map<Signal, SignalDisposition>();

  disposition(sig: Signal): SignalDisposition {
    return this.dispositions.get(sig) ?? "default";
  }

  setDisposition(sig: Signal, disposition: SignalDisposition): void {
    if (disposition === "default") this.dispositions.delete(sig);
    else this.dispositions.set(sig, typeof disposition === "string" ? disposition : { fn: disposition.fn, arg: disposition.arg });
  }

  /** Whether the signal would be discarded at generation (ignored, explicitly or by default). */
  ignores(sig: Signal): boolean {
    const d = this.disposition(sig);
    return d === "ignore" || (d === "default" && defaultAction(sig) === "ignore");
  }

  raise(sig: Signal): void {
    this.pending.add(sig);
  }

  isPending(sig: Signal): boolean {
    return this.pending.has(sig);
  }

  /**
   * The signal Linux delivers first: SIGKILL (a fatal signal makes get_signal go straight to
   * the group exit), else the lowest-numbered pending one.
   */
  next(): Signal | undefined {
    if (this.pending.size === 0) return undefined; // the usual case: the scheduler asks every step
    if (this.pending.has(SIGKILL)) return SIGKILL;
    let lowest: Signal | undefined;
    for (const sig of this.pending) if (lowest === undefined || sig < lowest) lowest = sig;
    return lowest;
  }

  take(sig: Signal): void {
    this.pending.delete(sig);
  }

  clearPending(): void {
    this.pending.clear();
  }

  /** fork: dispositions are inherited, pending signals are not. */
  forkCopy(): SignalState {
    const copy = new SignalState();
    for (const [sig, d] of this.dispositions) copy.dispositions.set(sig, d);
    return copy;
  }
}

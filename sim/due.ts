// What happens when a timer of the virtual clock falls due, as data (a target and a method
// found by its class) rather than a closure, so that a forked world (sim/world-fork.ts) can
// copy its pending timers pointing at its own processes and actions.

import type { TimerDue } from "./clock.ts";
import type { SimProcess } from "./process.ts";
import type { HarnessAction, World } from "./world.ts";

/** A process's timer (setTimer): its work becomes due, unless the timer was cleared. */
export class ProcessTimerDue implements TimerDue {
  constructor(readonly proc: SimProcess) {}

  fire(id: number): void {
    const proc = this.proc;
    if (!proc.timers.has(id)) return;
    proc.dueTimers.push(id);
    proc.touch();
  }
}

/** The timeout of a ppoll the process sleeps in: it wakes with nothing ready. */
export class PollTimeoutDue implements TimerDue {
  constructor(readonly proc: SimProcess) {}

  fire(id: number): void {
    const wait = this.proc.polling;
    if (wait === null || wait.timer !== id) return;
    wait.timedOut = true;
    this.proc.touch();
  }
}

/** A harness action (Sim.at) whose time has come: it joins the due actions. */
export class ActionDue implements TimerDue {
  constructor(
    readonly world: World,
    readonly action: HarnessAction,
  ) {}

  fire(): void {
    this.world.dueActions.push(this.action);
  }
}

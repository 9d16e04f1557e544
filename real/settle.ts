// When has a real run settled? Quiet for a while is not enough on a loaded machine (a new
// node process can take longer to start than any quiet window), so it is settled when:
// - nothing was reported for `idleMs`;
// - no model timer is pending in any process;
// - every clone that succeeded has been heard from (its hello) or reaped;
// - no live process of the run is unheard of: a clone whose caller exited at once (Unit 1.35's
//   double fork) is still booting Node when its caller is gone;
// - every live process of the run is asleep in epoll_wait (so nothing readable is waiting).

import { readFileSync } from "node:fs";

import type { KnownProcess } from "./normalise.ts";
import type { WireRecord } from "./wire.ts";

export class Settling {
  private lastReport: number;
  private readonly timers = new Map<number, number>();
  /** Clones not heard from yet: "<caller host pid>/<pid as the caller sees it>". */
  private readonly unborn = new Set<string>();
  private heardFrom = 0;

  constructor(
    private readonly now: () => number,
    private readonly idleMs: number,
  ) {
    this.lastReport = now();
  }

  /** Something happened that the run has to settle after (a report, or an action of ours). */
  touch(): void {
    this.lastReport = this.now();
  }

  observe(from: number, record: WireRecord, known: ReadonlyMap<number, KnownProcess>): void {
    this.touch();
    this.heardFrom++;
    switch (record.r) {
      case "timers":
        this.timers.set(from, record.pending);
        return;
      case "hello": {
        const me = known.get(from);
        const parent = me === undefined ? undefined : known.get(me.ppid);
        if (me !== undefined && parent !== undefined) this.unborn.delete(`${parent.hostPid}/${me.nspids[parent.nspids.length - 1]}`);
        return;
      }
      case "reaped":
        this.unborn.delete(`${from}/${record.child}`);
        return;
      case "event": {
        const body = record.body;
        if (body.kind !== "syscall" || body.call !== "clone" || typeof body.ret !== "number") return;
        const pid = body.ret;
        // A child can say hello before its parent's clone record is sent: then it is known already.
        const caller = known.get(from);
        const born = caller !== undefined && [...known.values()].some((p) => p.ppid === from && p.nspids[caller.nspids.length - 1] === pid);
        if (!born) this.unborn.add(`${from}/${pid}`);
        return;
      }
    }
  }

  /** `live`: the processes heard from; `unheardOf`: how many live processes of the run have not said hello. */
  settled(live: readonly number[], unheardOf: () => number = () => 0): boolean {
    if (this.heardFrom === 0 || this.now() - this.lastReport < this.idleMs) return false;
    for (const n of this.timers.values()) if (n !== 0) return false;
    // A clone whose caller is gone may never be heard from (killed with its pid namespace);
    // if it lives, it is one of the unheard of.
    for (const key of this.unborn) if (gone(Number(key.split("/")[0]))) this.unborn.delete(key);
    if (this.unborn.size > 0) return false;
    return live.every(asleepInEpoll) && unheardOf() === 0;
  }
}

/** The state letter of /proc/<pid>/stat, or null when the process is gone. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.charAt(stat.lastIndexOf(")") + 2);
  } catch {
    return null;
  }
}

function gone(pid: number): boolean {
  const state = procState(pid);
  return state === null || state === "Z";
}

/** In epoll_wait, or gone/zombie (nothing more will come from it). */
function asleepInEpoll(pid: number): boolean {
  if (gone(pid)) return true;
  try {
    return procState(pid) === "S" && readFileSync(`/proc/${pid}/wchan`, "utf8") === "do_epoll_wait";
  } catch {
    return true;
  }
}

// Pid namespaces and pid allocation.
//
// A process has one pid per pid-namespace level, from the host namespace down to its own.
// Each namespace allocates cyclically like Linux's idr_alloc_cyclic: upward from the last pid
// handed out, wrapping to a floor (RESERVED_PIDS = 300 once past it, or 2 when pid_max is
// that small), never reusing a pid that is still live or a zombie.

export const RESERVED_PIDS = 300;

export interface PidLimits {
  /** Linux pid_max: pids are in [1, pidMax). */
  readonly pidMax: number;
  /** Where allocation restarts after reaching pidMax. */
  readonly wrapTo: number;
}

export function pidLimits(pidMax = 32768, pidWrapTo?: number): PidLimits {
  if (!Number.isInteger(pidMax) || pidMax < 3) throw new Error(`pidMax must be an integer >= 3, got ${pidMax}`);
  const wrapTo = pidWrapTo ?? (pidMax > RESERVED_PIDS ? RESERVED_PIDS : 2);
  return { pidMax, wrapTo: Math.min(Math.max(wrapTo, 1), pidMax - 1) };
}

export class PidAllocator {
  private last: number;
  private readonly used = new Set<number>();

  constructor(
    private readonly limits: PidLimits,
    firstPid: number,
  ) {
    const start = firstPid >= 1 && firstPid < limits.pidMax ? firstPid : limits.wrapTo;
    this.last = start - 1;
  }

  /** The next free pid after the last one handed out, or null when every pid is taken. */
  allocate(): number | null {
    const { pidMax, wrapTo } = this.limits;
    let candidate = this.last + 1;
    for (let tries = 0; tries < pidMax; tries++) {
      if (candidate >= pidMax) candidate = wrapTo;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.last = candidate;
        return candidate;
      }
      candidate++;
    }
    return null;
  }

  /** Marks a pid taken without moving the cursor (the host's virtual init, pid 1). */
  reserve(pid: number): void {
    this.used.add(pid);
  }

  release(pid: number): void {
    this.used.delete(pid);
  }
}

export class PidNamespace {
  readonly level: number;
  readonly allocator: PidAllocator;
  /** pid in this namespace -> host pid of the member. */
  readonly members = new Map<number, number>();
  /** Host pid of this namespace's init (pid 1); 0 for the root (the host's virtual init). */
  initHostPid = 0;
  /** Cleared when the init dies: Linux then refuses new members (fork fails with ENOMEM). */
  adding = true;

  constructor(
    readonly inode: number,
    readonly parent: PidNamespace | null,
    limits: PidLimits,
    firstPid: number,
  ) {
    this.level = parent === null ? 0 : parent.level + 1;
    this.allocator = new PidAllocator(limits, firstPid);
  }

  isAncestorOf(other: PidNamespace): boolean {
    for (let ns = other.parent; ns !== null; ns = ns.parent) if (ns === this) return true;
    return false;
  }
}

/** One of a process's pids: its number in one namespace. */
export interface PidLink {
  readonly ns: PidNamespace;
  readonly nr: number;
}

/**
 * Allocates a pid in `own` and in every ancestor namespace (Linux alloc_pid order:
 * innermost first). Returns the links from host to own, or the errno of the failure.
 */
export function allocatePids(own: PidNamespace): PidLink[] | "EAGAIN" | "ENOMEM" {
  const links: PidLink[] = [];
  for (let ns: PidNamespace | null = own; ns !== null; ns = ns.parent) {
    if (!ns.adding) {
      releasePids(links);
      return "ENOMEM";
    }
    const nr = ns.allocator.allocate();
    if (nr === null) {
      releasePids(links);
      return "EAGAIN";
    }
    links.push({ ns, nr });
  }
  return links.reverse();
}

export function registerPids(links: readonly PidLink[], hostPid: number): void {
  for (const { ns, nr } of links) {
    ns.members.set(nr, hostPid);
    if (nr === 1 && ns.parent !== null) ns.initHostPid = hostPid;
  }
}

/** Frees the pids of a reaped process (they may be reused after wraparound). */
export function releasePids(links: readonly PidLink[]): void {
  for (const { ns, nr } of links) {
    ns.members.delete(nr);
    ns.allocator.release(nr);
  }
}

/** A process's pid as seen from `ns`, or 0 when it is not visible there. */
export function pidIn(links: readonly PidLink[], ns: PidNamespace): number {
  const link = links[ns.level];
  return link !== undefined && link.ns === ns ? link.nr : 0;
}

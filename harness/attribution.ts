// Known or new: a failure is attributed to a cause only by taking that cause away. Every known
// cause of the c8d9106a model has a switch in lifecycle/options.ts KNOWN_FIXES (Unit's upstream
// fix, or a minimal repair named after the mechanism). A failure is "known: X" when the SAME
// run with fix X switched on no longer has it; otherwise it is new. Nothing here reads the
// text of a reason to decide what it means.
//
// "The same run": the same scenario, seed, faults, strategy (or replayed schedule) and other
// switches, plus X. The simulator draws every choice from the run's seed, so the fixed run is
// step for step the original up to the first step where the fixed code acts differently; from
// there on it is the run Unit with the fix would have made from that state under the same
// draws. A failure is gone when the fixed run has no failure of the same check with exactly
// the same reason (pids and all: up to the divergence they are the same processes).
//
// Fixes are tried in KNOWN_FIXES order and a failure takes the first that removes it, so the
// answer depends on the run alone (not on which failures came before in an exploration). Two
// causes can meet in one run so that neither fix alone removes what they do together: a
// failure no single fix removes, but that every fix together does, takes the first PAIR of
// fixes (in KNOWN_FIXES order) that removes it, "X+Y". Anything else is new, even when it
// looks like a known one (and costs one rerun more: with every fix on).

import { KNOWN_FIXES, type FixName } from "../lifecycle/options.ts";

export interface Failure {
  readonly check: string;
  readonly reason: string;
}

/** The fix whose switch removes the failure, or the pair "X+Y" whose switches together do, or null: new. */
export type Cause = FixName | `${FixName}+${FixName}` | null;

/** The fixes a cause names (one, or the two of a pair). */
export function fixesOf(cause: Exclude<Cause, null>): FixName[] {
  return cause.split("+") as FixName[];
}

/** Whether a text names a cause: a known fix or a pair of them. */
export function isCause(text: string): text is Exclude<Cause, null> {
  const parts = text.split("+");
  return parts.length <= 2 && parts.every((p) => (KNOWN_FIXES as readonly string[]).includes(p));
}

export type Attributed<F extends Failure> = F & { readonly cause: Cause };

/**
 * Makes the same run again with these fixes on, and returns its failures. Only failures of the
 * `checks` named are looked up in the answer (the checks of the failures still without a
 * cause), so the rerun may judge the run by those checks alone.
 */
export type Rerun = (fixes: readonly string[], checks: ReadonlySet<string>) => readonly Failure[];

function keyOf(f: Failure): string {
  return `${f.check}\u0000${f.reason}`;
}

/**
 * Each failure of one run with its cause. `fixesOn` are the fixes the run already had (they
 * are not candidates); `rerun` is called at most once per remaining fix, and not at all when
 * the run has no failure.
 */
export function attributeFailures<F extends Failure>(failures: readonly F[], fixesOn: readonly string[], rerun: Rerun): Attributed<F>[] {
  const causes: Cause[] = failures.map(() => null);
  let pending = failures.map((_, i) => i);
  const pendingChecks = (): Set<string> => new Set(pending.map((i) => failures[i]!.check));
  const tryFixes = (fixes: readonly FixName[], cause: Exclude<Cause, null>): void => {
    const remaining = new Set(rerun([...fixesOn, ...fixes], pendingChecks()).map(keyOf));
    pending = pending.filter((i) => {
      if (remaining.has(keyOf(failures[i]!))) return true;
      causes[i] = cause;
      return false;
    });
  };
  const candidates = KNOWN_FIXES.filter((fix) => !fixesOn.includes(fix));
  for (const fix of candidates) {
    if (pending.length === 0) break;
    tryFixes([fix], fix);
  }
  if (pending.length === 0 || candidates.length < 2) return failures.map((f, i) => ({ ...f, cause: causes[i]! }));
  // Only what every fix together removes can have a pair as its cause.
  const removedByAll = new Set(rerun([...fixesOn, ...candidates], pendingChecks()).map(keyOf));
  pending = pending.filter((i) => !removedByAll.has(keyOf(failures[i]!)));
  for (let a = 0; a < candidates.length && pending.length > 0; a++) {
    for (let b = a + 1; b < candidates.length && pending.length > 0; b++) {
      tryFixes([candidates[a]!, candidates[b]!], `${candidates[a]!}+${candidates[b]!}`);
    }
  }
  return failures.map((f, i) => ({ ...f, cause: causes[i]! }));
}

/** Whether every failure has a cause (a run with only known failures). */
export function allKnown(attributed: readonly { cause: Cause }[]): boolean {
  return attributed.every((a) => a.cause !== null);
}

// What a benchmark reports: figures, each with a baseline measured in the same run, the ratio
// between them and, where issue 6 sets one, the target it is judged against.

export interface Measure {
  /** What was measured, e.g. "runs/s" of "the full scenario on the sim". */
  what: string;
  value: number;
  unit: string;
}

export interface Target {
  /** The goal as a sentence, e.g. ">= 5,000 runs/s". */
  text: string;
  met: boolean;
}

export interface Figure {
  section: string;
  name: string;
  measured: Measure;
  baseline: Measure;
  /** measured / baseline, or as `ratioMeaning` says. */
  ratio: number;
  ratioMeaning: string;
  target: Target | null;
  /** Anything else worth keeping in the JSON (counts, seeds, samples). */
  details?: Record<string, unknown>;
}

/** A ratio of two measures, "x" for "times". */
export function ratioOf(measured: Measure, baseline: Measure): number {
  return baseline.value === 0 ? Number.NaN : measured.value / baseline.value;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The q-quantile by the nearest-rank method (p90 of 20 samples is the 18th smallest). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** Milliseconds since some fixed point (wall clock of this process). */
export function nowMs(): number {
  return performance.now();
}

// Chaos mode of the real backend: a short random sleep at every scheduling point of the
// model (lifecycle/kernel.ts SchedPoint), so that the real kernel runs the other processes
// there far more often than it would on its own. The litmus tests use it to show the real
// kernel's outcomes are among those the simulated kernel's exhaustive search allows.
// Real runs are not reproducible anyway, so the host's Math.random is fine here (never in sim/).

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Sleeps between 0 and `maxUs` microseconds (nothing when 0). */
export function chaosPause(maxUs: number): void {
  if (maxUs <= 0) return;
  Atomics.wait(sleeper, 0, 0, (Math.random() * maxUs) / 1000);
}

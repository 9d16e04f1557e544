// The other baseline for the simulated kernel: fast-check's own scheduler (fc.scheduler), the
// usual way to explore interleavings of JavaScript promises. The workload is the sim's in
// shape: `actors` processes, each a chain of steps, and as many scheduling decisions per run
// as a sim run makes steps; the scheduler picks which pending step resolves next.

import fc from "fast-check";

/** One run: a fresh scheduler drawn from `seed`; resolves with the number of steps made. */
export async function fcSchedulerRun(seed: number, steps: number, actors = 8): Promise<number> {
  const [s] = fc.sample(fc.scheduler(), { seed, numRuns: 1 });
  let made = 0;
  const actor = async (id: number, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await s!.schedule(Promise.resolve(id), `p${id}`);
      made++;
    }
  };
  const running: Promise<void>[] = [];
  for (let a = 0; a < actors; a++) running.push(actor(a, Math.floor(steps / actors) + (a < steps % actors ? 1 : 0)));
  await s!.waitIdle();
  await Promise.all(running);
  return made;
}

// npm run test:quick: the simulated kernel only, for the edit-test loop. Left out: the real
// backend's tests (root, the native addon), the CLI's tests (end to end, or the whole program
// in-process), the packed package, the native build, nested vitest runs, and three long searches (the exhaustive
// search's completeness proof, the litmus outcome sets, PCT against random on #600: more than
// half the time alone). Threads, not forks: they start faster (no test here needs a process
// of its own). `npm test` runs everything.

import { availableParallelism } from "node:os";

import { defineConfig, mergeConfig } from "vitest/config";

import base from "./vitest.config.ts";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ["**/node_modules/**", "test/real/**", "test/litmus/real.test.ts", "test/cli/**", "test/package/**", "test/setup/build-native.test.ts", "test/strategies/exhaustive.test.ts", "test/litmus/sim.test.ts", "test/strategies/pct-600.test.ts", "test/setup/quiet-output.test.ts"],
      pool: "threads",
      // vitest's default leaves a core free: on 2 cores that is one worker, 69 s here against
      // 47 s with two (the tests are CPU-bound and nothing else of the run needs the core).
      maxWorkers: Math.max(2, availableParallelism() - 1),
    },
  }),
);

import { describe, expect, it } from "vitest";
import { facts, toySim } from "./toy.ts";

// Kernel.exit yields EXITED and the dispatcher drops the handler (sim/sim.ts advance): no code
// after the call runs, in the plain loop or with atomic handlers, and the exit status is the one given.
describe("exit ends the handler at the call", () => {
  for (const atomicHandlers of [false, true]) {
    it(`nothing after yield* k.exit runs, and the process exits with its status (atomic handlers: ${atomicHandlers})`, () => {
      const { sim, main } = toySim(
        {
          *main(k, s) {
            s.before = true;
            yield* k.exit(3);
            s.after = true; // never reached
          },
        },
        { atomicHandlers },
      );
      sim.step();
      expect(sim.stateOf(main)).toEqual({ before: true });
      sim.run();
      expect(facts(sim, main).exit).toEqual({ status: 3, signal: null });
      expect(sim.trace.some((e) => e.kind === "internal-error")).toBe(false);
    });
  }
});

// The --strategy, --pct-depth and --pct-steps options, shared by explore, replay, trace and shrink.

import { Option, type Command } from "commander";

import { DEFAULT_PCT, RUN_STRATEGY_NAMES, STRATEGY_NAMES } from "../sim/strategies/index.ts";

/** Adds the strategy options; `exhaustive` is offered by explore only (it is a search, not a run). */
export function addStrategyOptions(command: Command, withExhaustive: boolean): Command {
  const names = withExhaustive ? STRATEGY_NAMES : RUN_STRATEGY_NAMES;
  return command
    .addOption(
      new Option(
        "--strategy <name>",
        withExhaustive
          ? "how runs are scheduled: random (uniform), swarm (per-run fault kinds and starved event kinds), pct (priorities with change points), branch (half the runs go on from copies of worlds that reached a new transition or fault), exhaustive (every schedule of one scenario within bounds)"
          : "the strategy the run was made with, as explore printed it",
      ).choices(names),
    )
    .option("--pct-depth <d>", `PCT: bug depth d, so d-1 priority change points (default ${DEFAULT_PCT.depth})`)
    .option("--pct-steps <k>", `PCT: scheduling decisions the change points are spread over (default ${DEFAULT_PCT.steps})`);
}

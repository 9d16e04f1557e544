// nxtsim explore and replay with --backend real, end to end (the real kernel, for real).

import { describe, expect, it } from "vitest";

import { describeReal } from "../real/native-helpers.ts";
import { expectOneLineError, runNxtsim, scratchDir } from "./helpers.ts";

const cwd = scratchDir();

describeReal("nxtsim --backend real", () => {
  it("replay runs the scenario once on the real kernel: verdicts and this run's trace hash", async () => {
    const r = await runNxtsim(["replay", "--backend", "real", "--scenario", "kill-restart-app", "--fix", "633"], cwd);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^scenario: kill-restart-app on the real kernel, fixes: 633$/m);
    expect(r.stdout).toMatch(/^end: settled after \d+ ms, \d+ events$/m);
    expect(r.stdout).toMatch(/^trace sha256: [0-9a-f]{64} /m);
    expect(r.stdout).toMatch(/^checks: all passed$/m);
  });

  it("replay --trace prints the real trace as JSON lines, the verdict on stderr", async () => {
    const r = await runNxtsim(["replay", "--backend", "real", "--scenario", "boot-only", "--trace"], cwd);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { kind: string; ptype: string });
    expect(events.some((e) => e.kind === "model" && e.ptype === "router")).toBe(true);
    expect(r.stderr).toMatch(/^checks: all passed$/m);
  });

  it("explore runs scenarios round-robin and reports no failure on the fixed model", async () => {
    const r = await runNxtsim(["explore", "--backend", "real", "--runs", "2", "--fix", "633", "boot-only", "one-app-isolated"], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^real kernel: 2 runs, \d+ events in [\d.]+ s/m);
    expect(r.stdout).toMatch(/^no failures$/m);
    expect(r.stderr).toMatch(/^real run 2: settled/m);
  });

  it("explore reports a failing check of the default model, with exit 1: #633's keying on the isolated scenario", async () => {
    const r = await runNxtsim(["explore", "--backend", "real", "--runs", "1", "one-app-isolated"], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}table-keys-host-pids: prototype \d+ filed its child .* \(one-app-isolated, first in run 1, 1 runs\)$/m);
  });
});

describe("nxtsim --backend, bad input: one line on stderr, exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown backend", ["explore", "--backend", "qemu"], /argument 'qemu' is invalid. Allowed choices are sim, real/],
    ["--workers on real", ["explore", "--backend", "real", "--workers", "2"], /--workers applies to the simulated kernel only/],
    ["--faults on real", ["replay", "--backend", "real", "--scenario", "boot-only", "--faults", "{}"], /--faults applies to the simulated kernel only/],
    ["a seed on real", ["replay", "7", "--backend", "real", "--scenario", "boot-only"], /takes no seed: real runs are not seeded/],
    ["no scenario on real", ["replay", "--backend", "real"], /replay --backend real needs --scenario/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await runNxtsim(args, cwd);
      expectOneLineError(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

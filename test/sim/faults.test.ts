import { describe, expect, it } from "vitest";
import { isErrno } from "../../lifecycle/kernel.ts";
import { pingPong } from "./pingpong.ts";
import { cont, now, push, toySim } from "./toy.ts";

describe("fault injection", () => {
  it("fails clone with EAGAIN or ENOMEM and records the fault", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          for (let i = 0; i < 20; i++) {
            const r = now(k.clone(0, s, cont("idle")));
            push(s, "r", isErrno(r) ? r.errno : "ok");
          }
        },
        idle: () => {},
      },
      { faults: { cloneFail: 0.5 } },
    );
    const result = sim.run();
    expect(result.faults).toEqual({ cloneFail: 0.5, sendFail: 0, sendLost: 0, killAtStep: 0, mapWriteFail: 0 });
    const r = (sim.stateOf(main) as { r: string[] }).r;
    const failed = r.filter((x) => x !== "ok");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(20);
    expect(new Set(failed)).toEqual(new Set(["EAGAIN", "ENOMEM"]));
    const faults = sim.trace.filter((e) => e.kind === "fault");
    expect(faults).toHaveLength(failed.length);
    expect(faults.map((e) => (e.kind === "fault" ? [e.fault, (e.detail as { errno: string }).errno] : null))).toEqual(
      failed.map((x) => ["clone", x]),
    );
  });

  it("fails sendmsg and /proc map writes at the configured rate", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          const [, b] = k.socketpair() as [number, number];
          const r = now(k.sendmsg(b, { data: "x", fds: [] }));
          push(s, "send", r?.errno ?? null);
          const m = now(k.writeProcFile(k.getpid(), "uid_map", "0 0 1"));
          push(s, "map", m?.errno ?? null);
        },
      },
      { faults: { sendFail: 1, mapWriteFail: 1 } },
    );
    sim.run();
    const st = sim.stateOf(main) as { send: string[]; map: string[] };
    expect(st.send[0]).toBe("EAGAIN");
    expect(["EINVAL", "EPERM"]).toContain(st.map[0]);
    expect(sim.trace.filter((e) => e.kind === "fault").map((e) => (e.kind === "fault" ? e.fault : ""))).toEqual(["send", "map-write"]);
    // A failed send queued nothing.
    expect(sim.trace.find((e) => e.kind === "send")).toMatchObject({ ret: st.send[0] });
  });

  it("injects a lost message (EPIPE on a live socket) only at the sendLost rate", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          const [, b] = k.socketpair() as [number, number];
          const r = now(k.sendmsg(b, { data: "x", fds: [] }));
          push(s, "send", r?.errno ?? null);
        },
      },
      { faults: { sendLost: 1 } },
    );
    sim.run();
    expect((sim.stateOf(main) as { send: string[] }).send).toEqual(["EPIPE"]);
    expect(sim.trace.filter((e) => e.kind === "fault").map((e) => (e.kind === "fault" ? e.fault : ""))).toEqual(["send-lost"]);
  });

  it("draws no send fault on a socket whose peer is gone: Linux says EPIPE, never EAGAIN", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          const [a, b] = k.socketpair() as [number, number];
          now(k.close(a));
          const r = now(k.sendmsg(b, { data: "x", fds: [] }));
          push(s, "send", r?.errno ?? null);
        },
      },
      { faults: { sendFail: 1, sendLost: 1 } },
    );
    sim.run();
    expect((sim.stateOf(main) as { send: string[] }).send).toEqual(["EPIPE"]);
    expect(sim.trace.filter((e) => e.kind === "fault")).toHaveLength(0);
  });

  it("SIGKILLs processes other than the first-spawned one before steps", () => {
    let killed = 0;
    for (let seed = 0; seed < 20; seed++) {
      const sim = pingPong({ seed, faults: { killAtStep: 0.05 } });
      const r = sim.run();
      expect(r.reason).toBe("quiescent");
      const kills = sim.trace.filter((e) => e.kind === "fault" && e.fault === "kill");
      for (const k of kills) {
        const victim = (k.kind === "fault" ? k.detail : null) as { pid: number };
        expect(victim.pid).not.toBe(100);
        expect(sim.processes().find((p) => p.pid === victim.pid)?.exit).toEqual({ status: null, signal: 9 });
      }
      killed += kills.length;
      expect(sim.processes()[0]!.status).toBe("running");
    }
    expect(killed).toBeGreaterThan(0);
  });

  it("replays faults from the recorded choices, and zeroing a fault choice removes it", () => {
    const faults = { sendFail: 0.2, killAtStep: 0.02, cloneFail: 0.1 };
    let sawFault = false;
    for (let seed = 0; seed < 10; seed++) {
      const original = pingPong({ seed, faults });
      original.run();
      const replay = pingPong({ seed: "other", faults, replay: original.choices });
      replay.run();
      expect(replay.traceHash()).toBe(original.traceHash());
      const n = original.trace.filter((e) => e.kind === "fault").length;
      if (n > 0) sawFault = true;
      // With every choice 0 there are no faults and every scheduling choice takes the first event.
      const zero = pingPong({ seed, faults, replay: [] });
      zero.run();
      expect(zero.trace.filter((e) => e.kind === "fault")).toHaveLength(0);
      expect(zero.choices.every((c) => c === 0)).toBe(true);
    }
    expect(sawFault).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { CLONE_NEWPID, isErrno, SIGCHLD, SIGTERM, type Json, type Kernel } from "../../lifecycle/kernel.ts";
import { Sim } from "../../sim/index.ts";
import { cont, now, facts, push, res, toyProgram, toySim, type ToyState } from "./toy.ts";

const reaper = {
  onChld: (k: Kernel, s: ToyState) => {
    push(s, "handled", true);
    for (;;) {
      const w = now(k.waitpid());
      push(s, "waits", isErrno(w) ? w.errno : (w as unknown as Json));
      if (w === 0 || isErrno(w)) return;
    }
  },
  quit: (k: Kernel) => k.exit(7),
};

describe("SIGCHLD, zombies and waitpid", () => {
  it("coalesces two SIGCHLD raised before delivery into one", () => {
    const handlers = {
      ...reaper,
      main: (k: Kernel, s: ToyState) => {
        k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
        now(k.clone(0, s, cont("quit")));
        now(k.clone(0, s, cont("quit")));
      },
    };
    // Step choices: child 101 calls exit, then dies; then among [main's SIGCHLD, child 102]
    // pick 102 twice (it calls exit, then dies) while main's SIGCHLD stays pending.
    const sim = new Sim(toyProgram(handlers), { seed: 0, replay: [0, 0, 1, 1] });
    sim.spawn({}, cont("main"), { uid: 0, gid: 0 });
    sim.run();
    expect(sim.stateOf(100)).toMatchObject({
      handled: [true],
      waits: [
        { pid: 101, exited: 7 },
        { pid: 102, exited: 7 },
        "ECHILD",
      ],
    });
    expect(sim.trace.filter((e) => e.kind === "signal" && e.sig === SIGCHLD)).toHaveLength(1);
  });

  it("keeps a child a zombie until waited for; waitpid says 0 while children run and ECHILD without children", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        push(s, "w", isErrno(now(k.waitpid())) ? "ECHILD" : "?");
        now(k.clone(0, s, cont("idle")));
        now(k.clone(0, s, cont("idle")));
        push(s, "w", now(k.waitpid()) as Json);
      },
      idle: () => {},
      quit: (k) => k.exit(2),
      wait: (k, s) => push(s, "w", now(k.waitpid()) as unknown as Json),
    });
    sim.run();
    sim.post(102, cont("quit"));
    sim.run();
    expect(facts(sim, 102)).toMatchObject({ status: "zombie", exit: { status: 2, signal: null } });
    expect(sim.processes().map((p) => p.pid)).toEqual([100, 101, 102]);
    sim.post(main, cont("wait"));
    sim.run();
    expect(facts(sim, 102).status).toBe("reaped");
    expect(sim.stateOf(main)).toMatchObject({ w: ["ECHILD", 0, { pid: 102, exited: 2 }] });
    // The default SIGCHLD disposition discards the signal.
    expect(sim.trace.some((e) => e.kind === "signal" && e.sig === SIGCHLD && e.action === "ignore")).toBe(true);
  });

  it("auto-reaps when the parent ignores SIGCHLD", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        k.sigaction(SIGCHLD, "ignore");
        now(k.clone(0, s, cont("quit")));
      },
      quit: (k) => k.exit(0),
      wait: (k, s) => push(s, "w", isErrno(now(k.waitpid())) ? "ECHILD" : "?"),
    });
    sim.run();
    expect(facts(sim, 101).status).toBe("reaped");
    sim.post(main, cont("wait"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ w: ["ECHILD"] });
  });
});

describe("signal dispositions", () => {
  it("terminates on a default SIGTERM, runs a handler with the signal number, drops ignored ones", () => {
    const { sim } = toySim({
      main: (k, s) => {
        k.sigaction(SIGCHLD, "ignore");
        now(k.clone(0, s, cont("plain")));
        now(k.clone(0, s, cont("handles")));
        now(k.clone(0, s, cont("ignores")));
      },
      plain: () => {},
      handles: (k) => k.sigaction(SIGTERM, { fn: "onTerm", arg: "ignored arg" }),
      ignores: (k) => k.sigaction(SIGTERM, "ignore"),
      onTerm: (_k, s, arg) => push(s, "term", arg),
    });
    sim.run();
    for (const pid of [101, 102, 103]) sim.signal(pid, SIGTERM);
    sim.run();
    expect(facts(sim, 101)).toMatchObject({ status: "reaped", exit: { status: null, signal: SIGTERM } });
    expect(facts(sim, 102).status).toBe("running");
    expect(sim.stateOf(102)).toMatchObject({ term: [SIGTERM] });
    expect(facts(sim, 103).status).toBe("running");
    const actions = sim.trace
      .filter((e) => e.kind === "signal" && e.sig === SIGTERM)
      .map((e) => [e.pid, e.kind === "signal" ? e.action : ""] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(actions).toEqual([
      [101, "default"],
      [102, "handler"],
      [103, "ignore"], // discarded when sent
    ]);
  });

  it("checks kill permissions; SIGKILL is queued by kill() and kills the child at its own next step", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          s.child = now(k.clone(0, s, cont("idle"))) as number;
        },
        idle: () => {},
        killRoot: (k, s) => push(s, "r", res(now(k.kill(s.target as number, SIGTERM)))),
        killChild: (k, s) => {
          push(s, "r", res(now(k.kill(s.child as number, 9))));
          // Not dead yet: kill() returns once SIGKILL is queued, so the child is no zombie here.
          push(s, "w", now(k.waitpid()) as unknown as Json);
          push(s, "r", res(now(k.kill(4242, 9))));
        },
        reap: (k, s) => push(s, "w", now(k.waitpid()) as unknown as Json),
      },
      {},
      { uid: 1000, gid: 1000 },
    );
    const rootPid = sim.spawn({ target: 0 }, cont("idle"), { uid: 0, gid: 0 });
    sim.run();
    (sim.stateOf(main) as ToyState).target = rootPid;
    sim.post(main, cont("killRoot"));
    sim.post(main, cont("killChild"));
    sim.run();
    sim.post(main, cont("reap"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({
      r: [{ errno: "EPERM" }, null, { errno: "ESRCH" }],
      w: [0, { pid: 102, signaled: 9 }],
    });
  });

  it("records abort as a crash and a death by SIGABRT", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
        now(k.clone(0, s, cont("bad")));
      },
      bad: (k) => k.abort("nxt_assert failed"),
      onChld: reaper.onChld,
    });
    sim.run();
    const crash = sim.trace.findIndex((e) => e.kind === "crash" && e.reason === "nxt_assert failed" && e.pid === 101);
    expect(crash).toBeGreaterThan(0);
    expect(sim.trace[crash + 1]).toMatchObject({ kind: "exit", pid: 101, status: null, signal: 6 });
    expect(sim.stateOf(main)).toMatchObject({ waits: [{ pid: 101, signaled: 6 }, "ECHILD"] });
  });

  it("kills a pid-namespace init's abort with SIGSEGV (glibc's fallback once SIGABRT cannot kill it)", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
        now(k.clone(CLONE_NEWPID, s, cont("bad")));
      },
      bad: (k) => k.abort("nxt_assert failed"),
      onChld: reaper.onChld,
    });
    sim.run();
    const crash = sim.trace.findIndex((e) => e.kind === "crash" && e.reason === "nxt_assert failed" && e.pid === 101);
    expect(sim.trace[crash]).toMatchObject({ nspid: 1 });
    expect(sim.trace[crash + 1]).toMatchObject({ kind: "exit", pid: 101, status: null, signal: 11 });
    expect(sim.stateOf(main)).toMatchObject({ waits: [{ pid: 101, signaled: 11 }, "ECHILD"] });
  });

  it("stops the run with an internal-error event when the program throws", () => {
    const { sim } = toySim({
      main: () => {
        throw new TypeError("boom");
      },
    });
    const r = sim.run();
    expect(r.reason).toBe("internal-error");
    expect(sim.trace.at(-1)).toMatchObject({ kind: "internal-error", message: "TypeError: boom", pid: 100 });
    expect(sim.step()).toBe(false);
  });
});

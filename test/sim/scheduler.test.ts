import { describe, expect, it } from "vitest";
import { Sim } from "../../sim/index.ts";
import { cont, now, push, toyProgram, toySim } from "./toy.ts";

describe("virtual time", () => {
  it("jumps to the next timer when nothing else can run, and clearTimer cancels", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        k.setTimer(50, cont("tick", "a"));
        const b = k.setTimer(20, cont("tick", "b"));
        k.setTimer(30, cont("tick", "c"));
        k.clearTimer(b);
      },
      tick: (k, s, arg) => {
        push(s, "ticks", [arg, k.getpid()]);
      },
    });
    const r = sim.run();
    expect(r.reason).toBe("quiescent");
    expect(sim.stateOf(main)).toMatchObject({ ticks: [["c", 100], ["a", 100]] });
    const times = sim.trace.filter((e) => e.kind === "syscall" && e.call === "getpid").map((e) => e.t);
    expect(times).toEqual([30, 50]);
    expect(r.steps).toBe(3);
  });

  it("advances msPerStep per step and runs harness actions at their time, in order", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          s.n = 0;
          k.post(cont("again"));
        },
        again: (k, s) => {
          s.n = (s.n as number) + 1;
          if ((s.n as number) < 5) k.post(cont("again"));
        },
        mark: (k, s, arg) => push(s, "marks", [arg, k.getpid()]),
      },
      { msPerStep: 10 },
    );
    sim.at(200, "first", (x) => x.post(main, cont("mark", 1)));
    sim.at(200, "second", (x) => x.post(main, cont("mark", 2)));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ n: 5, marks: [[1, 100], [2, 100]] });
    const actions = sim.trace.filter((e) => e.kind === "action" && typeof e.action === "string");
    expect(actions.map((e) => [e.t, e.kind === "action" ? e.action : null])).toEqual([
      [200, "first"],
      [210, "second"],
    ]);
    expect(sim.now()).toBeGreaterThanOrEqual(220);
  });

  it("stops at maxSteps when work never ends", () => {
    const { sim } = toySim({ main: (k) => k.post(cont("main")) }, { maxSteps: 37 });
    const r = sim.run();
    expect(r).toMatchObject({ steps: 37, reason: "max-steps" });
    expect(sim.step()).toBe(false);
  });

  it("is level-triggered: a readable fd stays runnable until drained, and queued work runs first", () => {
    for (let seed = 0; seed < 30; seed++) {
      const sim = new Sim(
        toyProgram({
          main: (k, s) => {
            const [a, b] = k.socketpair() as [number, number];
            now(k.sendmsg(b, { data: 1, fds: [] }));
            now(k.sendmsg(b, { data: 2, fds: [] }));
            k.watchRead(a, "readable");
            s.b = b;
            k.post(cont("work", "w1"));
          },
          work: (k, s, arg) => {
            push(s, "log", arg);
            if (arg === "w1") k.post(cont("work", "w2"));
          },
          readable: (k, s, fd) => {
            const r = now(k.recvmsg(fd as number));
            push(s, "log", typeof r === "object" && "data" in r ? r.data : "none");
            if (r === "EOF" || "errno" in (r as object)) k.unwatchRead(fd as number);
          },
        }),
        { seed },
      );
      sim.spawn({}, cont("main"), { uid: 0, gid: 0 });
      sim.run();
      expect((sim.stateOf(100) as { log: unknown[] }).log).toEqual(["w1", "w2", 1, 2]);
    }
  });

  it("offers independent processes' events in every order across seeds", () => {
    const orders = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const { sim } = toySim(
        {
          main: (k, s) => {
            for (let i = 0; i < 3; i++) now(k.clone(0, s, cont("hello")));
          },
          hello: (k) => {
            k.getpid();
          },
        },
        { seed },
      );
      sim.run();
      orders.add(sim.trace.filter((e) => e.kind === "syscall" && e.call === "getpid").map((e) => e.pid).join(","));
    }
    expect(orders.size).toBe(6);
  });
});

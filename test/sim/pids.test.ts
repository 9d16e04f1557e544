import { describe, expect, it } from "vitest";
import { CLONE_NEWPID, isErrno, SIGCHLD, type Json } from "../../lifecycle/kernel.ts";
import { cont, now, facts, toySim, type ToyState } from "./toy.ts";

function record(state: ToyState, key: string, value: Json): void {
  const list = (state[key] ??= []) as Json[];
  list.push(value);
}

describe("pid allocation", () => {
  it("starts at firstPid and hands out increasing pids", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        record(s, "kids", now(k.clone(0, s, cont("child"))) as number);
        record(s, "kids", now(k.clone(0, s, cont("child"))) as number);
        s.self = k.getpid();
        k.sigaction(SIGCHLD, "ignore");
      },
      child: (k, s) => {
        s.self = k.getpid();
        s.parent = k.getppid();
      },
    });
    expect(main).toBe(100);
    sim.step();
    expect(sim.stateOf(100)).toMatchObject({ self: 100, kids: [101, 102] });
    sim.step();
    sim.step();
    expect(sim.stateOf(101)).toMatchObject({ self: 101, parent: 100 });
    expect(facts(sim, 102).ppid).toBe(100);
  });

  it("wraps around a small pidMax, fails with EAGAIN when full and never reuses a live or zombie pid", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          for (let i = 0; i < 6; i++) {
            const r = now(k.clone(0, s, cont("stay")));
            record(s, "pids", isErrno(r) ? r.errno : r);
          }
        },
        stay: () => {},
        reapOne: (k, s) => record(s, "reaped", (now(k.waitpid()) as { pid: number }).pid),
        cloneAgain: (k, s) => {
          const r = now(k.clone(0, s, cont("stay")));
          record(s, "again", isErrno(r) ? r.errno : r);
        },
        exitNow: (k) => k.exit(0),
      },
      { pidMax: 8 },
    );
    // pid_max 8: pids 1..7, 1 is the host's init and firstPid 100 is out of range.
    expect(main).toBe(2);
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ pids: [3, 4, 5, 6, 7, "EAGAIN"] });
    // Pid 4 exits: it stays a zombie and its pid stays taken until reaped.
    sim.post(4, cont("exitNow"));
    sim.run();
    expect(facts(sim, 4).status).toBe("zombie");
    sim.post(main, cont("cloneAgain"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ again: ["EAGAIN"] });
    sim.post(main, cont("reapOne"));
    sim.post(main, cont("cloneAgain"));
    sim.run();
    // Cursor was at 7: wrap to 2 (main), 3 (live), 4 (free now).
    expect(sim.stateOf(main)).toMatchObject({ reaped: [4], again: ["EAGAIN", 4] });
  });

  it("does not reuse a freed pid before wraparound", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          record(s, "pids", now(k.clone(0, s, cont("quit"))) as number);
        },
        quit: (k) => k.exit(3),
        reap: (k, s) => {
          record(s, "wait", now(k.waitpid()) as Json);
          record(s, "pids", now(k.clone(0, s, cont("quit"))) as number);
        },
      },
      { pidMax: 12 },
    );
    sim.run();
    sim.post(main, cont("reap"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ pids: [3, 4], wait: [{ pid: 3, exited: 3 }] });
  });

  it("wraps to RESERVED_PIDS (300) with a large pidMax", () => {
    const { sim } = toySim(
      {
        main: (k, s) => {
          record(s, "pids", now(k.clone(0, s, cont("idle"))) as number);
          record(s, "pids", now(k.clone(0, s, cont("idle"))) as number);
        },
        idle: () => {},
      },
      { pidMax: 1000, firstPid: 998 },
    );
    sim.run();
    expect(sim.stateOf(998)).toMatchObject({ pids: [999, 300] });
  });
});

describe("pid namespaces", () => {
  const nested = {
    main: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
      k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
      s.init = now(k.clone(CLONE_NEWPID, s, cont("init"))) as number;
    },
    onChld: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
      for (let w = now(k.waitpid()); w !== 0 && !isErrno(w); w = now(k.waitpid())) record(s, "reaped", w as unknown as Json);
    },
    init: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
      s.self = k.getpid();
      s.parent = k.getppid();
      record(s, "kids", now(k.clone(0, s, cont("member"))) as number);
      record(s, "kids", now(k.clone(0, s, cont("member"))) as number);
    },
    member: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
      s.self = k.getpid();
      s.parent = k.getppid();
    },
    quit: (k: import("../../lifecycle/kernel.ts").Kernel) => k.exit(0),
  };

  it("numbers members from 1 inside and translates between namespaces", () => {
    const { sim, main } = toySim(nested);
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ init: 101 });
    expect(sim.stateOf(101)).toMatchObject({ self: 1, parent: 0, kids: [2, 3] });
    expect(sim.stateOf(102)).toMatchObject({ self: 2, parent: 1 });
    expect(facts(sim, 102).nspids).toEqual([102, 2]);
    expect(facts(sim, 103).nspids).toEqual([103, 3]);
    expect(facts(sim, 101).ns.pid).not.toBe(facts(sim, main).ns.pid);
    expect(facts(sim, 102).ns.pid).toBe(facts(sim, 101).ns.pid);
  });

  it("SIGKILLs every member when the namespace init dies and reaps them inside", () => {
    const { sim, main } = toySim(nested);
    sim.run();
    sim.post(101, cont("quit"));
    sim.run();
    for (const pid of [102, 103]) {
      expect(facts(sim, pid)).toMatchObject({ status: "reaped", exit: { status: null, signal: 9 } });
    }
    expect(facts(sim, 101)).toMatchObject({ status: "reaped", exit: { status: 0, signal: null } });
    // Main only ever sees its own child, the init.
    expect(sim.stateOf(main)).toMatchObject({ reaped: [{ pid: 101, exited: 0 }] });
    const reaps = sim.trace.filter((e) => e.kind === "reap");
    expect(reaps.map((e) => [e.pid, e.kind === "reap" ? e.child : 0])).toEqual([
      [101, 102],
      [101, 103],
      [100, 101],
    ]);
  });

  it("ignores SIGKILL sent to the init from inside its namespace but not from outside", () => {
    const { sim } = toySim({
      ...nested,
      killInit: (k, s) => {
        record(s, "kill", (now(k.kill(1, 9)) ?? null) as Json);
      },
    });
    sim.run();
    sim.post(102, cont("killInit"));
    sim.run();
    expect(facts(sim, 101).status).toBe("running");
    expect(sim.stateOf(102)).toMatchObject({ kill: [null] });
    sim.signal(101, 15); // default SIGTERM from the host: ignored by a namespace init
    sim.run();
    expect(facts(sim, 101).status).toBe("running");
    sim.signal(101, 9);
    sim.run();
    expect(facts(sim, 101).status).toBe("reaped");
    expect(facts(sim, 103).status).toBe("reaped");
  });

  it("reparents orphans to the host init (which reaps at once), to a subreaper, or to the namespace init", () => {
    const handlers = {
      main: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
        k.sigaction(SIGCHLD, { fn: "onChld", arg: null });
        now(k.clone(0, s, cont("middle")));
      },
      onChld: nested.onChld,
      middle: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
        now(k.clone(0, s, cont("leaf")));
      },
      leaf: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
        s.parent = k.getppid();
      },
      quit: nested.quit,
      ppid: (k: import("../../lifecycle/kernel.ts").Kernel, s: ToyState) => {
        s.parent = k.getppid();
      },
    };
    // Without a subreaper: the host init adopts the orphan and reaps it the moment it dies.
    {
      const { sim } = toySim(handlers);
      sim.run();
      expect(sim.stateOf(102)).toMatchObject({ parent: 101 });
      sim.post(101, cont("quit"));
      sim.run();
      sim.post(102, cont("ppid"));
      sim.run();
      expect(sim.stateOf(102)).toMatchObject({ parent: 1 });
      expect(facts(sim, 102).ppid).toBe(1);
      sim.post(102, cont("quit"));
      sim.run();
      expect(facts(sim, 102).status).toBe("reaped");
      expect(sim.trace.some((e) => e.kind === "reap" && e.pid === 1 && e.child === 102)).toBe(true);
    }
    // With main as child subreaper: main adopts and reaps it.
    {
      const { sim, main } = toySim(handlers);
      sim.setChildSubreaper(main);
      sim.run();
      sim.post(101, cont("quit"));
      sim.run();
      sim.post(102, cont("ppid"));
      sim.run();
      expect(sim.stateOf(102)).toMatchObject({ parent: 100 });
      sim.post(102, cont("quit"));
      sim.run();
      expect(sim.stateOf(main)).toMatchObject({ reaped: [{ pid: 101, exited: 0 }, { pid: 102, exited: 0 }] });
    }
    // Inside a pid namespace: the namespace init adopts.
    {
      const { sim } = toySim({
        ...handlers,
        main: (k, s) => {
          now(k.clone(CLONE_NEWPID, s, cont("nsinit")));
        },
        nsinit: (k, s) => {
          now(k.clone(0, s, cont("middle")));
        },
      });
      sim.run();
      expect(sim.stateOf(103)).toMatchObject({ parent: 2 });
      sim.post(102, cont("quit"));
      sim.run();
      sim.post(103, cont("ppid"));
      sim.run();
      expect(sim.stateOf(103)).toMatchObject({ parent: 1 });
      expect(facts(sim, 103).ppid).toBe(101);
      // The init never waits: 102 stays its zombie child.
      expect(facts(sim, 102)).toMatchObject({ status: "zombie", ppid: 101 });
    }
  });
});

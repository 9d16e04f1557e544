import { describe, expect, it } from "vitest";
import { CLONE_NEWPID, CLONE_NEWUSER, EOF, isErrno, type Errno, type InMessage, type Json, type Kernel } from "../../lifecycle/kernel.ts";
import { cont, now, facts, push, res, toySim, type ToyState } from "./toy.ts";

/** What recvmsg returned, as plain data. */
function shown(r: InMessage | typeof EOF | Errno): Json {
  if (r === EOF) return "EOF";
  if (isErrno(r)) return r.errno;
  return { data: r.data, fds: [...r.fds], credPid: r.credPid, credUid: r.credUid, credGid: r.credGid };
}

function drain(k: Kernel, s: ToyState, fd: number, key = "got"): void {
  for (;;) {
    const r = now(k.recvmsg(fd));
    push(s, key, shown(r));
    if (r === EOF || isErrno(r)) return;
  }
}

describe("fd tables", () => {
  it("allocates the lowest free fd after stdio", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        push(s, "pairs", k.socketpair() as unknown as Json);
        push(s, "pairs", k.socketpair() as unknown as Json);
        now(k.close(3));
        push(s, "pairs", k.socketpair() as unknown as Json);
        push(s, "close", res(now(k.close(42))));
      },
    });
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ pairs: [[3, 4], [5, 6], [3, 7]], close: [{ errno: "EBADF" }] });
    expect(facts(sim, main).fds.map((f) => [f.fd, f.kind])).toEqual([
      [0, "null"], [1, "null"], [2, "null"], [3, "socket"], [4, "socket"], [5, "socket"], [6, "socket"], [7, "socket"],
    ]);
  });

  it("copies the table on clone; an end closes only when its last holder closes it", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        const [a, b] = k.socketpair() as [number, number];
        s.a = a;
        s.b = b;
        now(k.clone(0, s, cont("child")));
        now(k.close(b)); // the child still holds b
        push(s, "first", shown(now(k.recvmsg(a))));
      },
      child: () => {},
      childClose: (k, s) => {
        now(k.close(s.b as number));
      },
      check: (k, s) => push(s, "second", shown(now(k.recvmsg(s.a as number)))),
    });
    sim.run();
    expect(facts(sim, 101).fds.map((f) => f.fd)).toEqual([0, 1, 2, 3, 4]);
    expect(facts(sim, 101).fds[4]).toMatchObject({ sock: 1, end: 1 });
    expect(facts(sim, main).fds.map((f) => f.fd)).toEqual([0, 1, 2, 3]);
    expect(sim.stateOf(main)).toMatchObject({ first: ["EAGAIN"] });
    sim.post(101, cont("childClose"));
    sim.run();
    sim.post(main, cont("check"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ second: ["EOF"] });
  });
});

describe("SEQPACKET socket pairs", () => {
  it("delivers whole datagrams FIFO to the other end, shared by every holder of the sending end", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        const [a, b] = k.socketpair() as [number, number];
        s.a = a;
        s.b = b;
        now(k.sendmsg(b, { data: { n: 1 }, fds: [] }));
        now(k.clone(0, s, cont("child")));
        now(k.sendmsg(b, { data: { n: 3 }, fds: [] }));
      },
      child: (k, s) => {
        now(k.sendmsg(s.b as number, { data: { n: 2, from: "child" }, fds: [] }));
      },
      read: (k, s) => drain(k, s, s.a as number),
    });
    sim.run();
    sim.post(main, cont("read"));
    sim.run();
    const got = (sim.stateOf(main) as ToyState).got as { data: Json; credPid: number }[];
    expect(got.slice(0, 3).map((m) => m.data)).toEqual([{ n: 1 }, { n: 3 }, { n: 2, from: "child" }]);
    expect(got.slice(0, 3).map((m) => m.credPid)).toEqual([100, 100, 101]);
    expect(got[3]).toBe("EAGAIN");
    const sends = sim.trace.filter((e) => e.kind === "send");
    expect(sends.every((e) => e.kind === "send" && e.sock === 1 && e.ret === null)).toBe(true);
  });

  it("deep-copies data at send", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        const [a, b] = k.socketpair() as [number, number];
        s.a = a;
        const data = { list: [1] };
        now(k.sendmsg(b, { data, fds: [] }));
        data.list.push(2);
        drain(k, s, a);
      },
    });
    sim.run();
    expect((sim.stateOf(main) as ToyState).got).toEqual([{ data: { list: [1] }, fds: [], credPid: 100, credUid: 0, credGid: 0 }, "EAGAIN"]);
  });

  it("passes up to two fds as new fds of the receiver; in flight they keep the end alive", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        const [a, b] = k.socketpair() as [number, number]; // 3, 4
        const [c, d] = k.socketpair() as [number, number]; // 5, 6
        push(s, "tooMany", res(now(k.sendmsg(b, { data: "x", fds: [c, d, c] }))));
        push(s, "bad", res(now(k.sendmsg(b, { data: "x", fds: [99] }))));
        now(k.sendmsg(b, { data: "carry", fds: [c] }));
        now(k.close(c)); // the only other reference to c is now in flight
        now(k.close(4));
        const r = now(k.recvmsg(a)) as InMessage;
        s.passed = [...r.fds];
        // The passed end still works: send through it, read on d.
        now(k.sendmsg(r.fds[0]!, { data: "via passed", fds: [] }));
        drain(k, s, d);
      },
    });
    sim.run();
    const st = sim.stateOf(main) as ToyState;
    expect(st.tooMany).toEqual([{ errno: "EINVAL" }]);
    expect(st.bad).toEqual([{ errno: "EBADF" }]);
    expect(st.passed).toEqual([4]); // lowest free fd in the receiver
    expect((st.got as Json[])[0]).toMatchObject({ data: "via passed" });
    expect(facts(sim, main).fds.find((f) => f.fd === 4)).toMatchObject({ kind: "socket", sock: 2, end: 0, cloexec: true });
    const recv = sim.trace.find((e) => e.kind === "recv" && e.msg === "carry");
    expect(recv).toMatchObject({ fds: [4], credPid: 100, from: 100 });
  });

  it("drops in-flight references when the receiving end is destroyed with datagrams queued", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        const [a, b] = k.socketpair() as [number, number]; // 3, 4
        const [c, d] = k.socketpair() as [number, number]; // 5, 6
        now(k.sendmsg(b, { data: "carry", fds: [c] }));
        now(k.close(c));
        now(k.close(a)); // destroys the end holding the queued datagram, and with it c
        push(s, "peer", shown(now(k.recvmsg(d))));
        push(s, "send", res(now(k.sendmsg(b, { data: "late", fds: [] }))));
        push(s, "send", res(now(k.sendmsg(b, { data: "later", fds: [] }))));
      },
    });
    sim.run();
    // a went with a datagram unread: b's next call reports ECONNRESET, once (Linux's sk_err),
    // then the dead peer gives EPIPE; c died empty, so d sees a plain EOF.
    expect(sim.stateOf(main)).toMatchObject({ peer: ["EOF"], send: [{ errno: "ECONNRESET" }, { errno: "EPIPE" }] });
  });

  it("bounds the queue (EAGAIN) and reports EPIPE, EAGAIN and EOF", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          const [a, b] = k.socketpair() as [number, number];
          for (let i = 0; i < 4; i++) push(s, "sends", res(now(k.sendmsg(b, { data: i, fds: [] }))));
          now(k.close(b));
          drain(k, s, a);
          const [c, d] = k.socketpair() as [number, number];
          now(k.close(c));
          push(s, "epipe", res(now(k.sendmsg(d, { data: 0, fds: [] }))));
        },
      },
      { socketQueueMax: 3 },
    );
    sim.run();
    const st = sim.stateOf(main) as ToyState;
    expect(st.sends).toEqual([null, null, null, { errno: "EAGAIN" }]);
    expect((st.got as Json[]).map((g) => (typeof g === "string" ? g : (g as { data: Json }).data))).toEqual([0, 1, 2, "EOF"]);
    expect(st.epipe).toEqual([{ errno: "EPIPE" }]);
  });

  it("translates SCM_CREDENTIALS into the receiver's pid and user namespaces", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          const [a, b] = k.socketpair() as [number, number];
          s.a = a;
          s.b = b;
          s.child = now(k.clone(CLONE_NEWPID | CLONE_NEWUSER, s, cont("child"))) as number;
        },
        child: (k, s) => {
          s.self = k.getpid();
          now(k.sendmsg(s.a as number, { data: "from child", fds: [] }));
        },
        parentSends: (k, s) => {
          now(k.sendmsg(s.b as number, { data: "from parent", fds: [] }));
        },
        childReads: (k, s) => push(s, "got", shown(now(k.recvmsg(s.a as number)))),
        parentReads: (k, s) => push(s, "got", shown(now(k.recvmsg(s.b as number)))),
        map: (k, s) => {
          push(s, "map", res(now(k.writeProcFile(s.child as number, "uid_map", "0 1000 1"))));
          push(s, "map", res(now(k.writeProcFile(s.child as number, "setgroups", "deny"))));
          push(s, "map", res(now(k.writeProcFile(s.child as number, "gid_map", "0 1000 1"))));
        },
      },
      {},
      { uid: 1000, gid: 1000 },
    );
    sim.run();
    sim.post(main, cont("parentReads"));
    sim.post(main, cont("parentSends"));
    sim.run();
    sim.post(101, cont("childReads"));
    sim.run();
    sim.post(main, cont("map"));
    sim.run();
    sim.post(main, cont("parentSends"));
    sim.run();
    sim.post(101, cont("childReads"));
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({
      map: [null, null, null],
      got: [{ data: "from child", credPid: 101, credUid: 1000, credGid: 1000 }],
    });
    expect(sim.stateOf(101)).toMatchObject({
      self: 1,
      got: [
        // the parent is invisible in the child's pid namespace; its uid is unmapped, then mapped to 0
        { data: "from parent", credPid: 0, credUid: 65534, credGid: 65534 },
        { data: "from parent", credPid: 0, credUid: 0, credGid: 0 },
      ],
    });
  });
});

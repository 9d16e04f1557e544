import { describe, expect, it } from "vitest";
import { CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER, isErrno, type Json, type Kernel } from "../../lifecycle/kernel.ts";
import { cont, now, facts, push, res, toySim, type ToyState } from "./toy.ts";

const base = {
  main: (k: Kernel, s: ToyState) => {
    s.child = now(k.clone(CLONE_NEWUSER, s, cont("child"))) as number;
  },
  child: (k: Kernel, s: ToyState) => {
    push(s, "ids", [k.geteuid(), k.getegid()]);
  },
  ids: (k: Kernel, s: ToyState) => push(s, "ids", [k.geteuid(), k.getegid()]),
};

/** Runs `writes` (file, content) from main against its NEWUSER child and returns the results. */
function writeMaps(uid: number, writes: [string, string][], options = {}): { results: Json[]; sim: ReturnType<typeof toySim>["sim"] } {
  const { sim, main } = toySim(
    {
      ...base,
      write: (k, s) => {
        for (const [file, content] of writes) {
          push(s, "results", res(now(k.writeProcFile(s.child as number, file as "uid_map", content))));
        }
      },
    },
    options,
    { uid, gid: uid },
  );
  sim.run();
  sim.post(main, cont("write"));
  sim.run();
  return { results: (sim.stateOf(main) as ToyState).results as Json[], sim };
}

const EPERM = { errno: "EPERM" };
const EINVAL = { errno: "EINVAL" };

describe("uid_map / gid_map / setgroups", () => {
  it("lets a privileged writer map ranges, once", () => {
    const { results, sim } = writeMaps(0, [
      ["uid_map", "0 100000 65536"],
      ["uid_map", "0 100000 65536"],
      ["setgroups", "allow"],
      ["gid_map", "0 100000 1000\n1000 1000 1\n"],
      ["gid_map", "0 0 1"],
    ]);
    expect(results).toEqual([null, EPERM, null, null, EPERM]);
    sim.post(101, cont("ids"));
    sim.run();
    // The child's kernel ids (0) are outside both maps (100000+ and 1000), so it sees overflow
    // ids before and after.
    expect(sim.stateOf(101)).toMatchObject({ ids: [[65534, 65534], [65534, 65534]] });
  });

  it("lets an unprivileged owner map only its own id, and gid only after setgroups=deny", () => {
    const { results, sim } = writeMaps(1000, [
      ["uid_map", "0 0 1"], // not its own id
      ["uid_map", "0 1000 2"], // more than one id
      ["uid_map", "0 1000 1\n1 1001 1"], // more than one line
      ["uid_map", "0 1000 1"],
      ["gid_map", "0 1000 1"], // setgroups still allow
      ["setgroups", "deny"],
      ["setgroups", "allow"], // deny is permanent
      ["gid_map", "0 1000 1"],
      ["setgroups", "deny"], // after gid_map
    ]);
    expect(results).toEqual([EPERM, EPERM, EPERM, null, EPERM, null, EPERM, null, EPERM]);
    sim.post(101, cont("ids"));
    sim.run();
    expect(sim.stateOf(101)).toMatchObject({ ids: [[65534, 65534], [0, 0]] });
  });

  it("rejects malformed, overlapping and over-long maps with EINVAL", () => {
    const long = Array.from({ length: 341 }, (_, i) => `${i} ${100000 + i} 1`).join("\n");
    const ok340 = Array.from({ length: 340 }, (_, i) => `${i} ${100000 + i} 1`).join("\n");
    expect(writeMaps(0, [["uid_map", "0 1000"]]).results).toEqual([EINVAL]);
    expect(writeMaps(0, [["uid_map", "zero 1000 1"]]).results).toEqual([EINVAL]);
    expect(writeMaps(0, [["uid_map", "0 1000 0"]]).results).toEqual([EINVAL]);
    expect(writeMaps(0, [["uid_map", "0 1000 10\n5 5000 10"]]).results).toEqual([EINVAL]); // inside ranges overlap
    expect(writeMaps(0, [["uid_map", "0 1000 10\n50 1005 10"]]).results).toEqual([EINVAL]); // outside ranges overlap
    expect(writeMaps(0, [["uid_map", long]]).results).toEqual([EINVAL]);
    expect(writeMaps(0, [["uid_map", ok340]]).results).toEqual([null]);
    expect(writeMaps(0, [["setgroups", "maybe"]]).results).toEqual([EINVAL]);
  });

  it("models kernels without /proc/<pid>/setgroups", () => {
    const { results } = writeMaps(1000, [["setgroups", "deny"], ["uid_map", "0 1000 1"], ["gid_map", "0 1000 1"]], {
      noSetgroupsFile: true,
    });
    expect(results).toEqual([{ errno: "ENOENT" }, null, null]);
  });

  it("refuses writers outside the target's parent namespace", () => {
    const { sim, main } = toySim(
      {
        ...base,
        main: (k, s) => {
          s.a = now(k.clone(CLONE_NEWUSER, s, cont("child"))) as number;
          s.b = now(k.clone(CLONE_NEWUSER, s, cont("child"))) as number;
        },
        fromSibling: (k, s) => push(s, "r", res(now(k.writeProcFile(102, "uid_map", "0 1000 1")))),
        fromSelf: (k, s) => push(s, "r", res(now(k.writeProcFile(k.getpid(), "uid_map", "0 1000 1")))),
        toRoot: (k, s) => push(s, "r", res(now(k.writeProcFile(k.getpid(), "uid_map", "0 0 1")))),
      },
      {},
      { uid: 1000, gid: 1000 },
    );
    sim.run();
    sim.post(101, cont("fromSibling"));
    sim.run();
    sim.post(101, cont("fromSelf"));
    sim.run();
    sim.post(main, cont("toRoot"));
    sim.run();
    // The sibling is not in b's parent namespace; a namespace's own member may write its map
    // (it is the owner mapping its own id); the initial namespace's maps are fixed.
    expect(sim.stateOf(101)).toMatchObject({ r: [EPERM, null] });
    expect(sim.stateOf(main)).toMatchObject({ r: [EPERM] });
  });
});

describe("set*id and capabilities", () => {
  it("applies credentials in a mapped user namespace like Unit's app start", () => {
    const { sim } = toySim(
      {
        ...base,
        maps: (k, s) => {
          now(k.writeProcFile(s.child as number, "uid_map", "0 1000 1"));
          now(k.writeProcFile(s.child as number, "setgroups", "deny"));
          now(k.writeProcFile(s.child as number, "gid_map", "0 1000 1"));
        },
        apply: (k, s) => {
          push(s, "r", res(k.setgroups([0])));
          push(s, "r", res(k.setgid(0)));
          push(s, "r", res(k.setuid(5))); // unmapped inside
          push(s, "r", res(k.setuid(0)));
          push(s, "r", res(k.prctlNoNewPrivs()));
          push(s, "kid", now(k.clone(0, s, cont("idle"))) as number);
        },
        idle: () => {},
      },
      {},
      { uid: 1000, gid: 1000 },
    );
    sim.run();
    sim.post(100, cont("maps"));
    sim.run();
    sim.post(101, cont("apply"));
    sim.run();
    expect(sim.stateOf(101)).toMatchObject({ r: [EPERM, null, EINVAL, null, null] });
    expect(facts(sim, 101)).toMatchObject({ uid: 1000, euid: 1000, gid: 1000, egid: 1000, noNewPrivs: true });
    expect(facts(sim, 102)).toMatchObject({ noNewPrivs: true, uid: 1000 }); // inherited by clones
    expect(facts(sim, 101).ns.user).not.toBe(facts(sim, 100).ns.user);
  });

  it("lets root setgroups/setgid/setuid in the initial namespace and drops capabilities on leaving root", () => {
    const { sim, main } = toySim({
      main: (k, s) => {
        push(s, "r", res(k.setgroups([10, 5])));
        push(s, "r", res(k.setgid(100)));
        push(s, "r", res(k.setuid(1000)));
        push(s, "r", res(k.setuid(0))); // capabilities are gone
        const c = now(k.clone(CLONE_NEWNET, s, cont("idle")));
        push(s, "r", isErrno(c) ? c.errno : c);
        s.euid = k.geteuid();
      },
      idle: () => {},
    });
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ r: [null, null, null, EPERM, "EPERM"], euid: 1000 });
    expect(facts(sim, main)).toMatchObject({ uid: 1000, euid: 1000, gid: 100, groups: [5, 10] });
  });

  it("refuses namespace flags without CAP_SYS_ADMIN unless CLONE_NEWUSER comes with them", () => {
    const { sim, main } = toySim(
      {
        main: (k, s) => {
          const a = now(k.clone(CLONE_NEWPID, s, cont("idle")));
          const b = now(k.clone(CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET, s, cont("idle")));
          push(s, "r", isErrno(a) ? a.errno : a);
          push(s, "r", isErrno(b) ? b.errno : b);
        },
        idle: () => {},
      },
      {},
      { uid: 1000, gid: 1000 },
    );
    sim.run();
    expect(sim.stateOf(main)).toMatchObject({ r: ["EPERM", 101] });
    expect(facts(sim, 101).nspids).toEqual([101, 1]);
    expect(facts(sim, 101).ns.net).not.toBe(facts(sim, main).ns.net);
  });
});

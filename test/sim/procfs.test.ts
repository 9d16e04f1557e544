import { describe, expect, it } from "vitest";
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_NEWCGROUP } from "../../lifecycle/kernel.ts";
import { cont, now, facts, toySim } from "./toy.ts";

const ALL_NS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWPID | CLONE_NEWUSER;

function setup() {
  return toySim(
    {
      main: (k, s) => {
        const [a] = k.socketpair() as [number, number];
        s.a = a;
        s.child = now(k.clone(ALL_NS, s, cont("child"))) as number;
      },
      child: (k) => {
        now(k.close(4));
        k.prctlNoNewPrivs();
      },
      maps: (k, s) => {
        now(k.writeProcFile(s.child as number, "uid_map", "0 1000 1"));
        now(k.writeProcFile(s.child as number, "setgroups", "deny"));
        now(k.writeProcFile(s.child as number, "gid_map", "0 1000 1"));
      },
    },
    {},
    { uid: 1000, gid: 1000, groups: [27] },
  );
}

describe("namespace identities", () => {
  it("gives the initial namespaces Linux's well-known inodes and new ones per clone flag", () => {
    const { sim, main } = setup();
    sim.run();
    expect(facts(sim, main).ns).toEqual({
      mnt: 4026531841, net: 4026531840, uts: 4026531838, ipc: 4026531839, cgroup: 4026531835, pid: 4026531836, user: 4026531837,
    });
    const child = facts(sim, 101).ns;
    for (const name of ["mnt", "net", "uts", "ipc", "cgroup", "pid", "user"] as const) {
      expect(child[name]).toBeGreaterThan(4026531841);
    }
    expect(new Set(Object.values(child)).size).toBe(7);
  });
});

describe("/proc snapshot", () => {
  it("shows status, maps, setgroups, ns links and fds as Linux prints them", () => {
    const { sim, main } = setup();
    sim.run();
    sim.post(main, cont("maps"));
    sim.run();
    const { fs } = sim.procfs();
    const status = String(fs.readFileSync("/proc/101/status", "utf8"));
    expect(status).toContain("Pid:\t101\n");
    expect(status).toContain("PPid:\t100\n");
    expect(status).toContain("NSpid:\t101\t1\n");
    expect(status).toContain("Uid:\t1000\t1000\t1000\t1000\n");
    expect(status).toContain("Gid:\t1000\t1000\t1000\t1000\n");
    expect(status).toContain("NoNewPrivs:\t1\n");
    expect(String(fs.readFileSync(`/proc/${main}/status`, "utf8"))).toContain("NoNewPrivs:\t0\n");
    expect(String(fs.readFileSync("/proc/101/uid_map", "utf8"))).toBe("         0       1000          1\n");
    expect(String(fs.readFileSync("/proc/101/gid_map", "utf8"))).toBe("         0       1000          1\n");
    expect(String(fs.readFileSync("/proc/101/setgroups", "utf8"))).toBe("deny\n");
    expect(String(fs.readFileSync(`/proc/${main}/uid_map`, "utf8"))).toBe("         0          0 4294967295\n");
    expect(String(fs.readFileSync(`/proc/${main}/setgroups`, "utf8"))).toBe("allow\n");
    expect(String(fs.readlinkSync("/proc/101/ns/user"))).toBe(`user:[${facts(sim, 101).ns.user}]`);
    expect(String(fs.readlinkSync(`/proc/${main}/ns/net`))).toBe("net:[4026531840]");
    expect((fs.readdirSync("/proc/101/fd") as string[]).map(String).sort()).toEqual(["0", "1", "2", "3"]);
    expect((fs.readdirSync(`/proc/${main}/fd`) as string[]).map(String).sort()).toEqual(["0", "1", "2", "3", "4"]);
    expect(String(fs.readlinkSync("/proc/101/fd/0"))).toBe("/dev/null");
    const sockA = String(fs.readlinkSync(`/proc/${main}/fd/3`));
    const sockB = String(fs.readlinkSync(`/proc/${main}/fd/4`));
    expect(sockA).toMatch(/^socket:\[\d+\]$/);
    expect(sockB).not.toBe(sockA);
    expect(String(fs.readlinkSync("/proc/101/fd/3"))).toBe(sockA);
  });
});

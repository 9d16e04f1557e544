import { describe, expect, test } from "vitest";
import { cloneCredentialMap } from "../../lifecycle/clone.ts";
import type { Credential } from "../../lifecycle/credential.ts";
import type { ClonePlan } from "../../lifecycle/isolation.ts";
import { CLONE_NEWUSER } from "../../lifecycle/kernel.ts";
import { now } from "../sim/toy.ts";
import { fakeKernel } from "./fake-kernel.ts";

const nobody: Credential = { user: "nobody", uid: 65534, baseGid: 65534, gids: [65534] };
const root = { setid: true, chroot: true };
const unprivileged = { setid: false, chroot: false };
const noMaps: ClonePlan = { flags: CLONE_NEWUSER, uidmap: [], gidmap: [] };

describe("cloneCredentialMap", () => {
  test("writes uid_map, then setgroups, then gid_map, for the given pid", () => {
    const k = fakeKernel();
    const plan: ClonePlan = {
      flags: CLONE_NEWUSER,
      uidmap: [
        { container: 0, host: 500000, size: 65536 },
        { container: 70000, host: 600000, size: 10 },
      ],
      gidmap: [{ container: 0, host: 500000, size: 65536 }],
    };
    const r = now(cloneCredentialMap(k, 4242, plan, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r.ok).toBe(true);
    expect(k.calls).toEqual([
      { call: "writeProcFile", pid: 4242, file: "uid_map", content: "0 500000 65536\n70000 600000 10" },
      { call: "writeProcFile", pid: 4242, file: "setgroups", content: "allow" },
      { call: "writeProcFile", pid: 4242, file: "gid_map", content: "0 500000 65536" },
    ]);
  });

  test("privileged main without maps maps the app's own ids onto themselves", () => {
    const k = fakeKernel();
    const r = now(cloneCredentialMap(k, 7, noMaps, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r.ok).toBe(true);
    expect(k.calls.map((c) => (c.call === "writeProcFile" ? [c.file, c.content] : c.call))).toEqual([
      ["uid_map", "65534 65534 1"],
      ["setgroups", "allow"],
      ["gid_map", "65534 65534 1"],
    ]);
  });

  test("unprivileged main denies setgroups and maps the app ids onto its own euid/egid", () => {
    const k = fakeKernel();
    const cred: Credential = { user: "alice", uid: 1000, baseGid: 1000, gids: [1000] };
    const r = now(cloneCredentialMap(k, 9, noMaps, { caps: unprivileged, userCred: cred, mainEuid: 1000, mainEgid: 1001 }));
    expect(r.ok).toBe(true);
    expect(k.calls.map((c) => (c.call === "writeProcFile" ? [c.file, c.content] : c.call))).toEqual([
      ["uid_map", "1000 1000 1"],
      ["setgroups", "deny"],
      ["gid_map", "1000 1001 1"],
    ]);
  });

  test("a missing /proc/<pid>/setgroups (ENOENT) is skipped as success", () => {
    const k = fakeKernel();
    k.failOn["setgroups-file"] = "ENOENT";
    const r = now(cloneCredentialMap(k, 9, noMaps, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r.ok).toBe(true);
    expect(k.calls.map((c) => (c.call === "writeProcFile" ? c.file : c.call))).toEqual(["uid_map", "setgroups", "gid_map"]);
  });

  test("any other setgroups error fails with Unit's two alerts and gid_map is never written", () => {
    const k = fakeKernel();
    k.failOn["setgroups-file"] = "EPERM";
    const r = now(cloneCredentialMap(k, 9, noMaps, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r).toEqual({
      ok: false,
      alerts: ["write(/proc/9/setgroups): (1: Operation not permitted)", "failed to write /proc/9/setgroups"],
    });
    expect(k.calls.map((c) => (c.call === "writeProcFile" ? c.file : c.call))).toEqual(["uid_map", "setgroups"]);
  });

  test("EINVAL on uid_map gives the kernel line-limit hint and stops", () => {
    const k = fakeKernel();
    k.failOn.uid_map = "EINVAL";
    const r = now(cloneCredentialMap(k, 12, noMaps, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.alerts).toEqual(["failed to write /proc/12/uid_map: Check kernel maximum allowed lines (22: Invalid argument)"]);
    }
    expect(k.calls).toHaveLength(1);
  });

  test("a second write of gid_map (EPERM) is a write failure; a vanished process is an open failure", () => {
    const k1 = fakeKernel();
    k1.failOn.gid_map = "EPERM";
    const r1 = now(cloneCredentialMap(k1, 3, noMaps, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r1.ok ? [] : r1.alerts).toEqual(["failed to write proc map (/proc/3/gid_map) (1: Operation not permitted)"]);

    const k2 = fakeKernel();
    k2.failOn.uid_map = "ENOENT";
    const r2 = now(cloneCredentialMap(k2, 3, noMaps, { caps: root, userCred: nobody, mainEuid: 0, mainEgid: 0 }));
    expect(r2.ok ? [] : r2.alerts).toEqual(["failed to open proc map (/proc/3/uid_map) (2: No such file or directory)"]);
  });
});

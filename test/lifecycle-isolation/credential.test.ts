import { describe, expect, test } from "vitest";
import {
  DEFAULT_USER_DB,
  credentialGet,
  credentialSetgids,
  credentialSetuid,
  formatErrno,
} from "../../lifecycle/credential.ts";
import type { UserDb } from "../../lifecycle/credential.ts";
import { fakeKernel } from "./fake-kernel.ts";

const db: UserDb = {
  users: [...DEFAULT_USER_DB.users, { name: "alice", uid: 1000, gid: 1000 }],
  groups: [
    ...DEFAULT_USER_DB.groups,
    { name: "alice", gid: 1000, members: [] },
    { name: "dev", gid: 10000, members: ["alice", "bob"] },
    { name: "ops", gid: 60000, members: ["alice"] },
  ],
};

describe("credentialGet", () => {
  test("default database has the users scenarios rely on", () => {
    const names = DEFAULT_USER_DB.users.map((u) => `${u.name}:${u.uid}:${u.gid}`);
    expect(names).toEqual(expect.arrayContaining(["root:0:0", "nobody:65534:65534", "www-data:33:33"]));
    expect(DEFAULT_USER_DB.groups.find((g) => g.name === "nogroup")?.gid).toBe(65534);
  });

  test("resolves uid, base gid and the getgrouplist list (base first, then memberships)", () => {
    expect(credentialGet(db, "alice", null)).toEqual({
      ok: true,
      value: { user: "alice", uid: 1000, baseGid: 1000, gids: [1000, 10000, 60000] },
    });
  });

  test("a group overrides the base gid; an empty group does not", () => {
    const r = credentialGet(db, "alice", "ops");
    expect(r.ok && r.value.baseGid).toBe(60000);
    expect(r.ok && r.value.gids).toEqual([60000, 10000]);
    const e = credentialGet(db, "alice", "");
    expect(e.ok && e.value.baseGid).toBe(1000);
  });

  test("unknown user and group give Unit's getpwnam/getgrnam alerts", () => {
    expect(credentialGet(db, "carol", null)).toEqual({
      ok: false,
      alerts: ['getpwnam("carol") failed, user "carol" not found'],
      field: "user",
    });
    expect(credentialGet(db, "alice", "wheel")).toEqual({
      ok: false,
      alerts: ['getgrnam("wheel") failed, group "wheel" not found'],
      field: "group",
    });
  });
});

describe("credentialSetgids / credentialSetuid", () => {
  const alice = { user: "alice", uid: 1000, baseGid: 1000, gids: [1000, 10000] };

  test("with the real setid capability: setgid then setgroups", () => {
    const k = fakeKernel();
    expect(credentialSetgids(k, alice, true).ok).toBe(true);
    expect(k.calls).toEqual([
      { call: "setgid", gid: 1000 },
      { call: "setgroups", gids: [1000, 10000] },
    ]);
  });

  test("setid forced only by a user namespace: setgid, never setgroups", () => {
    const k = fakeKernel();
    expect(credentialSetgids(k, alice, false).ok).toBe(true);
    expect(k.calls).toEqual([{ call: "setgid", gid: 1000 }]);
  });

  test("no supplementary groups: no setgroups call even when privileged", () => {
    const k = fakeKernel();
    credentialSetgids(k, { ...alice, gids: [] }, true);
    expect(k.calls.map((c) => c.call)).toEqual(["setgid"]);
  });

  test("EINVAL texts name the namespace; other errors are alerts with %E", () => {
    const k = fakeKernel();
    k.failOn.setgid = "EINVAL";
    expect(credentialSetgids(k, alice, true)).toEqual({
      ok: false,
      alerts: ["The gid 1000 isn't valid in the application namespace."],
    });
    expect(k.calls.map((c) => c.call)).toEqual(["setgid"]);

    const k2 = fakeKernel();
    k2.failOn.setgroups = "EINVAL";
    const r2 = credentialSetgids(k2, alice, true);
    expect(r2.ok ? [] : r2.alerts).toEqual([
      'The user "alice" (uid: 1000) has supplementary group ids not valid in the application namespace.',
    ]);

    const k3 = fakeKernel();
    k3.failOn.setgroups = "EPERM";
    const r3 = credentialSetgids(k3, alice, true);
    expect(r3.ok ? [] : r3.alerts).toEqual(["setgroups(2) failed (1: Operation not permitted)"]);

    const k4 = fakeKernel();
    k4.failOn.setuid = "EINVAL";
    const r4 = credentialSetuid(k4, alice);
    expect(r4.ok ? [] : r4.alerts).toEqual(['The uid 1000 (user "alice") isn\'t valid in the application namespace.']);

    const k5 = fakeKernel();
    k5.failOn.setuid = "EPERM";
    const r5 = credentialSetuid(k5, alice);
    expect(r5.ok ? [] : r5.alerts).toEqual(["setuid(1000) failed (1: Operation not permitted)"]);
    expect(k5.calls).toEqual([{ call: "setuid", uid: 1000 }]);
  });

  test("formatErrno prints Unit's %E", () => {
    expect(formatErrno("EACCES")).toBe("(13: Permission denied)");
  });
});

import { describe, expect, test } from "vitest";
import { DEFAULT_USER_DB } from "../../lifecycle/credential.ts";
import type { UserDb } from "../../lifecycle/credential.ts";
import { isolationMainPrefork } from "../../lifecycle/isolation.ts";
import { isolationCloneFlags } from "../../lifecycle/isolation-namespaces.ts";
import type { ClonePlan, PreforkInput } from "../../lifecycle/isolation.ts";
import {
  CLONE_NEWCGROUP,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from "../../lifecycle/kernel.ts";
import type { Json } from "../../lifecycle/kernel.ts";

const db: UserDb = {
  users: [...DEFAULT_USER_DB.users, { name: "alice", uid: 1000, gid: 1000 }],
  groups: [...DEFAULT_USER_DB.groups, { name: "alice", gid: 1000, members: [] }, { name: "dev", gid: 10000, members: ["alice"] }],
};

function rootInput(app: Json): PreforkInput {
  return {
    caps: { setid: true, chroot: true },
    mainUser: "nobody",
    mainGroup: null,
    mainEuid: 0,
    mainEgid: 0,
    db,
    havePrSetNoNewPrivs: false,
    appName: "a",
    app,
  };
}

function userInput(app: Json): PreforkInput {
  return { ...rootInput(app), caps: { setid: false, chroot: false }, mainUser: "alice", mainGroup: "alice", mainEuid: 1000, mainEgid: 1000 };
}

const emptyPlan = (): ClonePlan => ({ flags: 0, uidmap: [], gidmap: [] });

describe("namespace flags (isolationCloneFlags)", () => {
  test("each namespace name maps to its clone flag", () => {
    const plan = emptyPlan();
    const r = isolationCloneFlags(
      { credential: true, pid: true, network: true, uname: true, mount: true, cgroup: true },
      plan,
    );
    expect(r.ok).toBe(true);
    expect(plan.flags).toBe(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP);
  });

  test("false (and any non-true value) sets nothing", () => {
    const plan = emptyPlan();
    isolationCloneFlags({ credential: false, pid: true, network: false }, plan);
    expect(plan.flags).toBe(CLONE_NEWPID);
  });

  test("an unknown namespace is an alert and an error, even after valid ones", () => {
    const plan = emptyPlan();
    const r = isolationCloneFlags({ pid: true, ipc: true }, plan);
    expect(r).toEqual({ ok: false, alerts: ['unknown namespace flag: "ipc"'], field: "isolation/namespaces" });
  });
});

describe("isolationMainPrefork", () => {
  test("no isolation, root main: the user defaults to main's user and is resolved", () => {
    const r = isolationMainPrefork(rootInput({ type: "python", module: "wsgi" }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.userCred).toEqual({ user: "nobody", uid: 65534, baseGid: 65534, gids: [65534] });
      expect(r.value.isolation.clone).toEqual({ flags: 0, uidmap: [], gidmap: [] });
      expect(r.value.isolation.newPrivs).toBe(false);
      expect(r.value.isolation.rootfs).toBeNull();
    }
  });

  test("the shipped isolated configuration parses into flags and maps", () => {
    const r = isolationMainPrefork(
      rootInput({
        type: "python",
        module: "wsgi",
        user: "nobody",
        isolation: {
          namespaces: { credential: true, pid: true, network: true, uname: true },
          uidmap: [{ container: 0, host: 500000, size: 65536 }],
          gidmap: [{ container: 0, host: 500000, size: 65536 }],
        },
      }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.isolation.clone.flags).toBe(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS);
      expect(r.value.isolation.clone.uidmap).toEqual([{ container: 0, host: 500000, size: 65536 }]);
      expect(r.value.isolation.automount).toEqual({ languageDeps: true, tmpfs: true, procfs: true });
    }
  });

  test("privileged main: unknown app user is getpwnam's alert", () => {
    const r = isolationMainPrefork(rootInput({ type: "python", user: "carol" }));
    expect(r).toEqual({ ok: false, alerts: ['getpwnam("carol") failed, user "carol" not found'], field: "user" });
  });

  test("unprivileged main without user namespace: another user is refused", () => {
    const r = isolationMainPrefork(userInput({ type: "python", user: "nobody" }));
    expect(r).toEqual({
      ok: false,
      alerts: ['cannot set user "nobody" for app "a": missing capabilities'],
      field: "user",
    });
  });

  test("unprivileged main: own user fine, credentials stay unresolved (null)", () => {
    const r = isolationMainPrefork(userInput({ type: "python", user: "alice", group: "alice" }));
    expect(r.ok && r.value.userCred).toBeNull();
  });

  test("unprivileged main: a group other than main's is refused", () => {
    const r = isolationMainPrefork(userInput({ type: "python", group: "dev" }));
    expect(r.ok ? [] : r.alerts).toEqual(['cannot set group "dev" for app "a": missing capabilities']);
  });

  test("unprivileged main with a user namespace may name another user (NEWUSER forces cap_setid)", () => {
    const r = isolationMainPrefork(
      userInput({ type: "python", user: "nobody", isolation: { namespaces: { credential: true } } }),
    );
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.userCred?.uid).toBe(65534);
  });

  test("unprivileged main with a user namespace: uidmap must map main's own euid only", () => {
    const r = isolationMainPrefork(
      userInput({
        type: "python",
        user: "alice",
        isolation: { namespaces: { credential: true }, uidmap: [{ container: 0, host: 0, size: 1 }] },
      }),
    );
    expect(r.ok ? [] : r.alerts).toEqual([
      '"uidmap" field has an entry for host uid 0 but unprivileged unit can only map itself (uid 1000) into child namespaces.',
    ]);
  });

  test("unprivileged main: supplementary groups of the app user are refused once a map is given", () => {
    const r = isolationMainPrefork(
      userInput({
        type: "python",
        user: "alice",
        isolation: { namespaces: { credential: true }, uidmap: [{ container: 1000, host: 1000, size: 1 }] },
      }),
    );
    expect(r.ok ? [] : r.alerts).toEqual([
      'unprivileged unit disallow supplementary groups for new namespace (user "alice" has 2 groups).',
    ]);
  });

  test("maps without the credential namespace are an error, uidmap reported first", () => {
    const r = isolationMainPrefork(
      rootInput({
        type: "python",
        isolation: {
          namespaces: { pid: true },
          uidmap: [{ container: 0, host: 0, size: 1 }],
          gidmap: [{ container: 0, host: 0, size: 1 }],
        },
      }),
    );
    expect(r).toEqual({
      ok: false,
      alerts: ['"uidmap" is set but "isolation.namespaces.credential" is false or unset'],
      field: "isolation/uidmap",
    });
    const g = isolationMainPrefork(rootInput({ type: "python", isolation: { gidmap: [{ container: 0, host: 0, size: 1 }] } }));
    expect(g.ok ? [] : g.alerts).toEqual(['"gidmap" is set but "isolation.namespaces.credential" is false or unset']);
  });

  test("with the credential namespace and no maps, nothing is validated (default maps later)", () => {
    const r = isolationMainPrefork(rootInput({ type: "python", user: "alice", isolation: { namespaces: { credential: true } } }));
    expect(r.ok).toBe(true);
  });

  test("namespace parsing comes before user checks: an unknown flag wins over a bad user", () => {
    const r = isolationMainPrefork(userInput({ type: "python", user: "nobody", isolation: { namespaces: { foo: true } } }));
    expect(r.ok ? [] : r.alerts).toEqual(['unknown namespace flag: "foo"']);
  });

  test("new_privs is read only when the build has PR_SET_NO_NEW_PRIVS", () => {
    const app = { type: "python", isolation: { new_privs: true } };
    const off = isolationMainPrefork(rootInput(app));
    expect(off.ok && off.value.isolation.newPrivs).toBe(false);
    const on = isolationMainPrefork({ ...rootInput(app), havePrSetNoNewPrivs: true });
    expect(on.ok && on.value.isolation.newPrivs).toBe(true);
  });

  test("c18dd1f6 (1.35): new_privs defaults to true, so only \"new_privs\": false asks for no_new_privs", () => {
    const on = { havePrSetNoNewPrivs: true, upstream: ["c18dd1f6" as const] };
    const newPrivs = (app: Json, extra: Partial<PreforkInput>) => {
      const r = isolationMainPrefork({ ...rootInput(app), ...extra });
      return r.ok && r.value.isolation.newPrivs;
    };
    expect(newPrivs({ type: "python" }, { havePrSetNoNewPrivs: true })).toBe(false);
    expect(newPrivs({ type: "python" }, on)).toBe(true);
    expect(newPrivs({ type: "python", isolation: {} }, on)).toBe(true);
    expect(newPrivs({ type: "python", isolation: { new_privs: false } }, on)).toBe(false);
  });

  test("rootfs must be absolute and not /; one trailing slash is stripped", () => {
    for (const bad of ["/", "relative/path", ""]) {
      const r = isolationMainPrefork(rootInput({ type: "python", isolation: { rootfs: bad } }));
      expect(r.ok ? [] : r.alerts).toEqual([`rootfs requires an absolute path other than "/" but given "${bad}"`]);
    }
    const r = isolationMainPrefork(rootInput({ type: "python", isolation: { rootfs: "/srv/root/", namespaces: { mount: true } } }));
    expect(r.ok && r.value.isolation.rootfs).toBe("/srv/root");
  });

  test("rootfs mounts: language mounts prefixed, tmpfs and proc added, sorted by source length", () => {
    const r = isolationMainPrefork({
      ...rootInput({ type: "python", isolation: { rootfs: "/r", namespaces: { mount: true } } }),
      langMounts: [
        { src: "/usr/lib/python3.10", dst: "/usr/lib/python3.10", name: "bind", type: "bind", flags: [], data: "", builtin: false, deps: true },
      ],
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.isolation.mounts?.map((m) => [m.src, m.dst])).toEqual([
        ["none", "/r/proc"],
        ["tmpfs", "/r/tmp"],
        ["/usr/lib/python3.10", "/r/usr/lib/python3.10"],
      ]);
      expect(r.value.isolation.cleanup).toBe("unmountAll");
      expect(r.value.warnings).toEqual([]);
    }
  });

  test("automount switches drop tmpfs/proc; root app user without mount ns is warned about", () => {
    const r = isolationMainPrefork(
      rootInput({ type: "python", user: "root", isolation: { rootfs: "/r", automount: { tmpfs: false, procfs: false } } }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.isolation.mounts).toEqual([]);
      expect(r.value.warnings).toEqual([
        'setting user "root" with "rootfs" is unsafe without "mount" namespace isolation',
      ]);
    }
  });

  test("rootfs without chroot capability nor user namespace requires privileges", () => {
    const r = isolationMainPrefork(userInput({ type: "python", isolation: { rootfs: "/r" } }));
    expect(r).toEqual({ ok: false, alerts: ['The "rootfs" field requires privileges'], field: "isolation/rootfs" });
  });

  test("rootfs with chroot but without setid dereferences NULL user_cred in Unit: reported as an abort", () => {
    const r = isolationMainPrefork({ ...userInput({ type: "python", isolation: { rootfs: "/r" } }), caps: { setid: false, chroot: true } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.abort).toMatch(/NULL/);
  });

  test("the language-module assertion (lang != NULL) is reported as an abort", () => {
    const r = isolationMainPrefork({ ...rootInput({ type: "python", isolation: { rootfs: "/r" } }), langMounts: null });
    expect(!r.ok && r.abort).toMatch(/lang != NULL/);
  });
});

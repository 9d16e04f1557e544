// Application isolation as main prepares it before forking a prototype (src/nxt_isolation.c):
// namespaces -> clone flags, uid/gid maps, rootfs and its mount list, automount, new_privs,
// then the credential rules and the map validation. This file: the records, nxt_isolation_set
// and nxt_isolation_main_prefork; the parts Unit builds under NXT_HAVE_CLONE are in
// isolation-namespaces.ts, under NXT_HAVE_CLONE_NEWUSER in isolation-creds.ts, under
// NXT_HAVE_ISOLATION_ROOTFS in isolation-rootfs.ts.
//
// Everything here is plain data (copied on fork, serialised); nothing mounts anything.

import { CLONE_NEWNS, CLONE_NEWUSER } from "./kernel.ts";
import type { Json } from "./kernel.ts";
import type { UpstreamCommit } from "./options.ts";
import { credentialGet, fail, ok } from "./credential.ts";
import type { Credential, Outcome, UserDb } from "./credential.ts";
import { isolationSetCgroup } from "./cgroup.ts";
import { isCloneFlagSet } from "./clone.ts";
import { confGetObjectMember as member } from "./conf.ts";
import { isolationSetNamespaces } from "./isolation-namespaces.ts";
import { isolationSetCreds, isolationVldtCreds } from "./isolation-creds.ts";
import { isolationSetAutomount, isolationSetMounts, isolationSetRootfs } from "./isolation-rootfs.ts";

export interface MapEntry {
  container: number;
  host: number;
  size: number;
}

/** nxt_clone_t */
export interface ClonePlan {
  flags: number;
  uidmap: MapEntry[];
  gidmap: MapEntry[];
}

/** nxt_fs_mount_t, as data. */
export interface FsMount {
  src: string;
  dst: string;
  name: string;
  type: "bind" | "tmpfs" | "proc";
  flags: ("nosuid" | "nodev" | "noexec" | "rdonly")[];
  data: string;
  builtin: boolean;
  /** A language-module dependency (skipped when automount.language_deps is false). */
  deps: boolean;
}

export interface Automount {
  languageDeps: boolean;
  tmpfs: boolean;
  procfs: boolean;
}

/** nxt_process_isolation_t */
export interface Isolation {
  clone: ClonePlan;
  newPrivs: boolean;
  rootfs: string | null;
  automount: Automount;
  /** Mounts to make under rootfs, in Unit's order (set only with rootfs). */
  mounts?: FsMount[];
  /** The cleanup main runs when the prototype dies (nxt_isolation_unmount_all), by name. */
  cleanup?: "unmountAll" | null;
  /** nxt_cgroup_t (867a839f): the application's isolation.cgroup.path; absent = NULL. */
  cgroup?: { path: string };
  /** The cgroup cleanup main runs when the prototype dies (nxt_cgroup_cleanup), by name (867a839f). */
  cgroupCleanup?: "cgroupCleanup";
}

/** nxt_capabilities_t */
export interface Capabilities {
  setid: boolean;
  chroot: boolean;
}

export interface PreforkInput {
  caps: Capabilities;
  /** Main's configured user (rt->user_cred.user, `--user`, default "nobody"). */
  mainUser: string;
  /** Main's configured group (rt->group, `--group`); null stands for Unit's default "". */
  mainGroup: string | null;
  mainEuid: number;
  mainEgid: number;
  db: UserDb;
  /** NXT_HAVE_PR_SET_NO_NEW_PRIVS; false at c8d9106a (configure typo). */
  havePrSetNoNewPrivs: boolean;
  /** Upstream commits beyond c8d9106a in effect (c18dd1f6 changes the new_privs default). */
  upstream?: readonly UpstreamCommit[];
  appName: string;
  /** The application's conf object, as received by main. */
  app: Json;
  /**
   * Mounts the language module of the app's type declared at discovery (unprefixed dst).
   * Undefined = none; null = no module for the type (Unit's nxt_assert(lang != NULL) fires).
   */
  langMounts?: readonly FsMount[] | null;
}

export interface PreforkResult {
  isolation: Isolation;
  /** process->user_cred; null when main has no setid capability and no user namespace. */
  userCred: Credential | null;
  /** NXT_LOG_WARN lines Unit logs on the way (the prefork still succeeds). */
  warnings?: string[];
}

export function emptyIsolation(): Isolation {
  return {
    clone: { flags: 0, uidmap: [], gidmap: [] },
    newPrivs: false,
    rootfs: null,
    // Unit's record is zero-filled; the true defaults are set only when an "isolation" object exists.
    automount: { languageDeps: false, tmpfs: false, procfs: false },
  };
}

/** nxt_isolation_set_new_privs (compiled only with NXT_HAVE_PR_SET_NO_NEW_PRIVS). */
export function isolationSetNewPrivs(isolationConf: Json, iso: Isolation): Outcome {
  const v = member(isolationConf, "new_privs");
  if (v !== undefined) {
    iso.newPrivs = v === true;
  }
  return ok();
}

/** nxt_isolation_set, in Unit's order. */
export function isolationSet(isolationConf: Json, iso: Isolation, havePrSetNoNewPrivs: boolean, upstream: readonly UpstreamCommit[] = []): Outcome {
  if (upstream.includes("867a839f")) {
    const r = isolationSetCgroup(isolationConf, iso);
    if (!r.ok) {
      return r;
    }
  }
  const steps = [isolationSetNamespaces, isolationSetCreds, isolationSetRootfs, isolationSetAutomount];
  for (const step of steps) {
    const r = step(isolationConf, iso);
    if (!r.ok) {
      return r;
    }
  }
  if (havePrSetNoNewPrivs) {
    const r = isolationSetNewPrivs(isolationConf, iso);
    if (!r.ok) {
      return r;
    }
  }
  return ok();
}

function confString(app: Json, name: string): string | null {
  const v = member(app, name);
  return typeof v === "string" ? v : null;
}

/**
 * nxt_isolation_main_prefork: everything main decides about a prototype's isolation and
 * credentials before clone(). Failures carry the lines Unit logs.
 */
export function isolationMainPrefork(input: PreforkInput): Outcome<PreforkResult> {
  const iso = emptyIsolation();
  const warnings: string[] = [];
  let capSetid = input.caps.setid;

  if (input.havePrSetNoNewPrivs && input.upstream?.includes("c18dd1f6")) {
    // c18dd1f6: no_new_privs is off unless the app asks for it with "new_privs": false.
    iso.newPrivs = true;
  }

  const isolationConf = member(input.app, "isolation");
  // nxt_conf_map_object skips a null member, so "isolation": null means no isolation.
  if (isolationConf !== undefined && isolationConf !== null) {
    const r = isolationSet(isolationConf, iso, input.havePrSetNoNewPrivs, input.upstream);
    if (!r.ok) {
      return r;
    }
  }

  if (isCloneFlagSet(iso.clone.flags, CLONE_NEWUSER)) {
    capSetid = true;
  }

  // app_conf->user defaults to main's user name; "group" stays unset unless configured.
  const user = confString(input.app, "user") ?? input.mainUser;
  const group = confString(input.app, "group");
  let userCred: Credential | null = null;

  if (capSetid) {
    const r = credentialGet(input.db, user, group);
    if (!r.ok) {
      return r;
    }
    userCred = r.value;
  } else {
    if (user !== input.mainUser) {
      return fail(`cannot set user "${user}" for app "${input.appName}": missing capabilities`, "user");
    }
    if (group !== null && group.length > 0 && group !== (input.mainGroup ?? "")) {
      return fail(`cannot set group "${group}" for app "${input.appName}": missing capabilities`, "group");
    }
  }

  if (iso.rootfs !== null) {
    const r = isolationSetMounts(iso, input.caps, input.langMounts === undefined ? [] : input.langMounts);
    if (!r.ok) {
      return r;
    }

    const hasMnt = isCloneFlagSet(iso.clone.flags, CLONE_NEWNS);

    if (userCred === null) {
      // Main with CAP_SYS_CHROOT but without CAP_SETUID/CAP_SETGID dereferences NULL here.
      return { ok: false, alerts: [], abort: "NULL dereference of process->user_cred (rootfs without setid)" };
    }

    if (userCred.uid === 0 && !hasMnt) {
      warnings.push(`setting user "root" with "rootfs" is unsafe without "mount" namespace isolation`);
    }
  }

  const v = isolationVldtCreds(iso, userCred, input);
  if (!v.ok) {
    return v;
  }

  return ok({ isolation: iso, userCred, warnings });
}

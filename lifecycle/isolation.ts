// Application isolation as main prepares it before forking a prototype (src/nxt_isolation.c):
// namespaces -> clone flags, uid/gid maps, rootfs and its mount list, automount, new_privs,
// then the credential rules and the map validation.
//
// Everything here is plain data (copied on fork, serialised); nothing mounts anything.

import {
  CLONE_NEWCGROUP,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from "./kernel.ts";
import type { Json } from "./kernel.ts";
import type { UpstreamCommit } from "./options.ts";
import { credentialGet, fail, ok } from "./credential.ts";
import type { Credential, Outcome, UserDb } from "./credential.ts";
import { cloneVldtCredentialGidmap, cloneVldtCredentialUidmap } from "./clone.ts";
import { isolationSetCgroup } from "./cgroup.ts";

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

type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function member(obj: Json | undefined, name: string): Json | undefined {
  return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

export function isCloneFlagSet(flags: number, flag: number): boolean {
  return (flags & flag) === flag;
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

const NAMESPACE_FLAGS: readonly (readonly [string, number])[] = [
  ["credential", CLONE_NEWUSER],
  ["pid", CLONE_NEWPID],
  ["network", CLONE_NEWNET],
  ["uname", CLONE_NEWUTS],
  ["mount", CLONE_NEWNS],
  ["cgroup", CLONE_NEWCGROUP],
];

/** nxt_isolation_clone_flags: members in conf order; a flag is OR-ed only for boolean true. */
export function isolationCloneFlags(namespaces: Json, clone: ClonePlan): Outcome {
  if (!isObject(namespaces)) {
    return ok();
  }
  for (const [name, value] of Object.entries(namespaces)) {
    const entry = NAMESPACE_FLAGS.find(([n]) => n === name);
    if (entry === undefined) {
      return fail(`unknown namespace flag: "${name}"`, "isolation/namespaces");
    }
    // Unit reads the boolean slot of any value; the model only honours a real `true`.
    if (value === true) {
      clone.flags |= entry[1];
    }
  }
  return ok();
}

/** nxt_isolation_set_namespaces */
export function isolationSetNamespaces(isolationConf: Json, iso: Isolation): Outcome {
  const obj = member(isolationConf, "namespaces");
  if (obj !== undefined) {
    return isolationCloneFlags(obj, iso.clone);
  }
  return ok();
}

function mapInt(obj: Json, name: string): number {
  const v = member(obj, name);
  return typeof v === "number" && Number.isInteger(v) ? v : 0;
}

/** nxt_isolation_credential_map: each element's container/host/size integers. */
export function isolationCredentialMap(array: Json, field: string): Outcome<MapEntry[]> {
  if (!Array.isArray(array)) {
    return ok([]);
  }
  const map: MapEntry[] = [];
  for (const obj of array) {
    // nxt_conf_map_object cannot fail for integer members, so Unit never reaches its
    // "clone map entry map error" alert here; missing or non-integer members read as 0
    // in the model (uninitialised memory in Unit; the controller rejects such maps anyway).
    if (obj === undefined) {
      return fail("clone map entry map error", field);
    }
    map.push({ container: mapInt(obj, "container"), host: mapInt(obj, "host"), size: mapInt(obj, "size") });
  }
  return ok(map);
}

/** nxt_isolation_set_creds: "uidmap" then "gidmap". */
export function isolationSetCreds(isolationConf: Json, iso: Isolation): Outcome {
  const uid = member(isolationConf, "uidmap");
  if (uid !== undefined) {
    const r = isolationCredentialMap(uid, "isolation/uidmap");
    if (!r.ok) {
      return r;
    }
    iso.clone.uidmap = r.value;
  }

  const gid = member(isolationConf, "gidmap");
  if (gid !== undefined) {
    const r = isolationCredentialMap(gid, "isolation/gidmap");
    if (!r.ok) {
      return r;
    }
    iso.clone.gidmap = r.value;
  }

  return ok();
}

/** nxt_isolation_set_rootfs: absolute, not "/", one trailing "/" stripped. */
export function isolationSetRootfs(isolationConf: Json, iso: Isolation): Outcome {
  const obj = member(isolationConf, "rootfs");
  if (obj === undefined) {
    return ok();
  }
  let str = typeof obj === "string" ? obj : "";
  if (str.length <= 1 || !str.startsWith("/")) {
    return fail(`rootfs requires an absolute path other than "/" but given "${str}"`, "isolation/rootfs");
  }
  if (str.endsWith("/")) {
    str = str.slice(0, -1);
  }
  iso.rootfs = str;
  return ok();
}

/** nxt_isolation_set_automount: all three default to true. */
export function isolationSetAutomount(isolationConf: Json, iso: Isolation): Outcome {
  const automount: Automount = { languageDeps: true, tmpfs: true, procfs: true };
  const conf = member(isolationConf, "automount");
  if (conf !== undefined) {
    const langDeps = member(conf, "language_deps");
    if (langDeps !== undefined) {
      automount.languageDeps = langDeps === true;
    }
    const tmpfs = member(conf, "tmpfs");
    if (tmpfs !== undefined) {
      automount.tmpfs = tmpfs === true;
    }
    const procfs = member(conf, "procfs");
    if (procfs !== undefined) {
      automount.procfs = procfs === true;
    }
  }
  iso.automount = automount;
  return ok();
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

/**
 * nxt_isolation_set_lang_mounts: the module's mounts prefixed with rootfs, then tmpfs at
 * <rootfs>/tmp and proc at <rootfs>/proc per automount, then sorted.
 */
export function isolationSetLangMounts(iso: Isolation, langMounts: readonly FsMount[]): FsMount[] {
  const rootfs = iso.rootfs ?? "";
  const mounts: FsMount[] = langMounts.map((m) => ({ ...m, flags: [...m.flags], dst: rootfs + m.dst }));

  if (iso.automount.tmpfs) {
    mounts.push({
      src: "tmpfs",
      dst: `${rootfs}/tmp`,
      name: "tmpfs",
      type: "tmpfs",
      flags: ["nosuid", "nodev", "noexec"],
      data: "size=1m,mode=777",
      builtin: true,
      deps: false,
    });
  }

  if (iso.automount.procfs) {
    mounts.push({
      src: "none",
      dst: `${rootfs}/proc`,
      name: "proc",
      type: "proc",
      flags: ["noexec", "nosuid"],
      data: "",
      builtin: true,
      deps: false,
    });
  }

  // Unit sorts with a boolean comparator (len(src1) > len(src2)); glibc's merge sort turns that
  // into a stable ascending sort by src length, which is what the model does.
  return mounts
    .map((m, i) => [m, i] as const)
    .sort((a, b) => a[0].src.length - b[0].src.length || a[1] - b[1])
    .map(([m]) => m);
}

/** nxt_isolation_set_mounts */
export function isolationSetMounts(
  iso: Isolation,
  caps: Capabilities,
  langMounts: readonly FsMount[] | null,
): Outcome {
  if (langMounts === null) {
    return { ok: false, alerts: [], abort: "assertion failed: lang != NULL (nxt_isolation_set_mounts)" };
  }

  const capChroot = caps.chroot || isCloneFlagSet(iso.clone.flags, CLONE_NEWUSER);
  if (!capChroot) {
    return fail(`The "rootfs" field requires privileges`, "isolation/rootfs");
  }

  iso.mounts = isolationSetLangMounts(iso, langMounts);
  iso.cleanup = "unmountAll";
  return ok();
}

/** nxt_isolation_vldt_creds: only when a map is configured. */
export function isolationVldtCreds(
  iso: Isolation,
  creds: Credential | null,
  ctx: { caps: Capabilities; mainEuid: number; mainEgid: number },
): Outcome {
  const clone = iso.clone;

  if (clone.uidmap.length === 0 && clone.gidmap.length === 0) {
    return ok();
  }

  if (!isCloneFlagSet(clone.flags, CLONE_NEWUSER)) {
    if (clone.uidmap.length > 0) {
      return fail(`"uidmap" is set but "isolation.namespaces.credential" is false or unset`, "isolation/uidmap");
    }
    if (clone.gidmap.length > 0) {
      return fail(`"gidmap" is set but "isolation.namespaces.credential" is false or unset`, "isolation/gidmap");
    }
    return ok();
  }

  if (creds === null) {
    // Unreachable: NEWUSER forces cap_setid, so the credentials were resolved.
    return { ok: false, alerts: [], abort: "NULL user_cred in nxt_isolation_vldt_creds" };
  }

  const u = cloneVldtCredentialUidmap(clone.uidmap, creds, ctx);
  if (!u.ok) {
    return u;
  }
  return cloneVldtCredentialGidmap(clone.gidmap, creds, ctx);
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

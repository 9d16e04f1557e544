// User credentials: resolving a user/group into ids and applying them (src/nxt_credential.c).
//
// Plain data only: a Credential is copied into process state on fork and serialised.

import { isErrno } from "./kernel.ts";
import type { Errno, ErrnoName, Gid, Kernel, Uid } from "./kernel.ts";

/** nxt_credential_t; Unit's `ngroups` is `gids.length`. */
export interface Credential {
  user: string;
  uid: Uid;
  baseGid: Gid;
  gids: Gid[];
}

/** Stands for /etc/passwd and /etc/group: the model reads the user database as data, not from the host. */
export interface UserDb {
  users: { name: string; uid: Uid; gid: Gid }[];
  groups: { name: string; gid: Gid; members: string[] }[];
}

/** A small Debian-like user database, enough for the shipped scenarios. */
export const DEFAULT_USER_DB: UserDb = {
  users: [
    { name: "root", uid: 0, gid: 0 },
    { name: "daemon", uid: 1, gid: 1 },
    { name: "www-data", uid: 33, gid: 33 },
    { name: "unit", uid: 999, gid: 999 },
    { name: "nobody", uid: 65534, gid: 65534 },
  ],
  groups: [
    { name: "root", gid: 0, members: [] },
    { name: "daemon", gid: 1, members: [] },
    { name: "www-data", gid: 33, members: [] },
    { name: "unit", gid: 999, members: [] },
    { name: "nogroup", gid: 65534, members: [] },
  ],
};

/** Result of a step that Unit reports by logging (alerts, errors) and returning NXT_ERROR. */
export type Outcome<T = undefined> =
  | { ok: true; value: T }
  | {
      ok: false;
      alerts: string[];
      /** Model extension: the app conf member the failure is about ("user", "isolation/uidmap", ...). */
      field?: string;
      /** Model extension: set when Unit would crash (failed nxt_assert or NULL dereference) instead of returning. */
      abort?: string;
    };

export function ok(): Outcome;
export function ok<T>(value: T): Outcome<T>;
export function ok<T>(value?: T): Outcome<T | undefined> {
  return { ok: true, value };
}

export function fail(alerts: string | string[], field?: string): { ok: false; alerts: string[]; field?: string } {
  const list = typeof alerts === "string" ? [alerts] : alerts;
  return field === undefined ? { ok: false, alerts: list } : { ok: false, alerts: list, field };
}

const ERRNO_TEXT: Record<ErrnoName, [number, string]> = {
  EPERM: [1, "Operation not permitted"],
  ENOENT: [2, "No such file or directory"],
  ESRCH: [3, "No such process"],
  EINTR: [4, "Interrupted system call"],
  EBADF: [9, "Bad file descriptor"],
  ECHILD: [10, "No child processes"],
  EAGAIN: [11, "Resource temporarily unavailable"],
  ENOMEM: [12, "Cannot allocate memory"],
  EACCES: [13, "Permission denied"],
  EINVAL: [22, "Invalid argument"],
  EPIPE: [32, "Broken pipe"],
  ECONNRESET: [104, "Connection reset by peer"],
  EEXIST: [17, "File exists"],
  EBUSY: [16, "Device or resource busy"],
  ENOTEMPTY: [39, "Directory not empty"],
  ENAMETOOLONG: [36, "File name too long"],
  ENODATA: [61, "No data available"],
  EROFS: [30, "Read-only file system"],
};

/** Unit's `%E` conversion: "(22: Invalid argument)". */
export function formatErrno(e: Errno | ErrnoName): string {
  const name = typeof e === "string" ? e : e.errno;
  const [num, text] = ERRNO_TEXT[name];
  return `(${num}: ${text})`;
}

/** getgrouplist(3): the base gid first, then every group listing the user as a member, without duplicates. */
function credentialGroupsGet(db: UserDb, user: string, baseGid: Gid): Gid[] {
  const gids: Gid[] = [baseGid];
  for (const g of db.groups) {
    if (g.members.includes(user) && !gids.includes(g.gid)) {
      gids.push(g.gid);
    }
  }
  return gids;
}

/**
 * nxt_credential_get: getpwnam(user), then getgrnam(group) overriding the base gid when a
 * non-empty group is given, then the supplementary list.
 */
export function credentialGet(db: UserDb, user: string, group: string | null): Outcome<Credential> {
  const pwd = db.users.find((u) => u.name === user);
  if (pwd === undefined) {
    // The model's database never fails with an errno; only the "not found" branch exists.
    return fail(`getpwnam("${user}") failed, user "${user}" not found`, "user");
  }

  let baseGid = pwd.gid;

  if (group !== null && group !== "") {
    const grp = db.groups.find((g) => g.name === group);
    if (grp === undefined) {
      return fail(`getgrnam("${group}") failed, group "${group}" not found`, "group");
    }
    baseGid = grp.gid;
  }

  return ok({ user, uid: pwd.uid, baseGid, gids: credentialGroupsGet(db, user, baseGid) });
}

/**
 * nxt_credential_setgids: setgid(base gid); then, only when the runtime really has the setid
 * capability (`realSetid`, not the NEWUSER-forced one), setgroups(gids) if there are any.
 */
export function credentialSetgids(k: Kernel, cred: Credential, realSetid: boolean): Outcome {
  const r = k.setgid(cred.baseGid);
  if (isErrno(r)) {
    if (r.errno === "EINVAL") {
      return fail(`The gid ${cred.baseGid} isn't valid in the application namespace.`);
    }
    return fail(`setgid(${cred.baseGid}) failed ${formatErrno(r)}`);
  }

  if (!realSetid) {
    return ok();
  }

  if (cred.gids.length > 0) {
    const g = k.setgroups(cred.gids);
    if (isErrno(g)) {
      if (g.errno === "EINVAL") {
        return fail(
          `The user "${cred.user}" (uid: ${cred.uid}) has supplementary group ids not valid in the application namespace.`,
        );
      }
      return fail(`setgroups(${cred.gids.length}) failed ${formatErrno(g)}`);
    }
  }

  return ok();
}

/** nxt_credential_setuid. */
export function credentialSetuid(k: Kernel, cred: Credential): Outcome {
  const r = k.setuid(cred.uid);
  if (isErrno(r)) {
    if (r.errno === "EINVAL") {
      return fail(`The uid ${cred.uid} (user "${cred.user}") isn't valid in the application namespace.`);
    }
    return fail(`setuid(${cred.uid}) failed ${formatErrno(r)}`);
  }
  return ok();
}

// User-namespace id maps: writing /proc/<pid>/{uid_map,setgroups,gid_map} from main and
// validating the configured maps in main's prefork (src/nxt_clone.c).

import { isErrno, type Sys } from "./kernel.ts";
import type { Errno, Gid, Kernel, Pid, ProcMapFile, Uid } from "./kernel.ts";
import { fail, formatErrno, ok } from "./credential.ts";
import type { Credential, Outcome } from "./credential.ts";
import type { Capabilities, ClonePlan, MapEntry } from "./isolation.ts";

export interface CloneMapContext {
  caps: Capabilities;
  userCred: Credential;
  mainEuid: Uid;
  mainEgid: Gid;
  /** Mutant "setgroups-last": setgroups written after gid_map. */
  setgroupsLast?: boolean;
}

export interface VldtContext {
  caps: Capabilities;
  mainEuid: Uid;
  mainEgid: Gid;
}

/** nxt_uid_t / nxt_gid_t casts of Unit's signed map fields. */
function u32(n: number): number {
  return n >>> 0;
}

/**
 * Unit opens and writes in two syscalls; the Kernel seam does both in one, so the errno is
 * sorted back into "open failed" (the file is not there / not ours) or "write failed".
 */
function isOpenError(e: Errno): boolean {
  return e.errno === "ENOENT" || e.errno === "EACCES" || e.errno === "ESRCH";
}

/** nxt_is_clone_flag_set (src/nxt_clone.h). */
export function isCloneFlagSet(flags: number, flag: number): boolean {
  return (flags & flag) === flag;
}

/** The text written to a map file: one "container host size" line per entry, joined by "\n". */
export function cloneMapContent(map: readonly MapEntry[], defaultContainer: number, defaultHost: number): string {
  if (map.length > 0) {
    return map.map((m) => `${m.container} ${m.host} ${m.size}`).join("\n");
  }
  return `${defaultContainer} ${defaultHost} 1`;
}

/** nxt_clone_credential_map_write. */
function* cloneCredentialMapWrite(k: Kernel, file: ProcMapFile, pid: Pid, content: string): Sys<Outcome> {
  const path = `/proc/${pid}/${file}`;
  const r = yield* k.writeProcFile(pid, file, content);
  if (!isErrno(r)) {
    return ok();
  }
  if (isOpenError(r)) {
    return fail(`failed to open proc map (${path}) ${formatErrno(r)}`);
  }
  if (r.errno === "EINVAL") {
    return fail(`failed to write ${path}: Check kernel maximum allowed lines ${formatErrno(r)}`);
  }
  return fail(`failed to write proc map (${path}) ${formatErrno(r)}`);
}

/** nxt_clone_credential_map_set. */
function* cloneCredentialMapSet(
  k: Kernel,
  file: "uid_map" | "gid_map",
  pid: Pid,
  defaultContainer: number,
  defaultHost: number,
  map: readonly MapEntry[],
): Sys<Outcome> {
  return yield* cloneCredentialMapWrite(k, file, pid, cloneMapContent(map, defaultContainer, defaultHost));
}

/** nxt_clone_credential_setgroups: a missing file (ENOENT on open) is fine. */
function* cloneCredentialSetgroups(k: Kernel, pid: Pid, rule: "allow" | "deny"): Sys<Outcome> {
  const path = `/proc/${pid}/setgroups`;
  const r = yield* k.writeProcFile(pid, "setgroups", rule);
  if (!isErrno(r)) {
    return ok();
  }
  if (r.errno === "ENOENT") {
    return ok();
  }
  if (isOpenError(r)) {
    return fail(`open(${path}): ${formatErrno(r)}`);
  }
  return fail(`write(${path}): ${formatErrno(r)}`);
}

/**
 * nxt_clone_credential_map: called by main for a prototype created with NEWUSER, before it
 * is allowed to go on. Writes uid_map, then setgroups, then gid_map.
 */
export function* cloneCredentialMap(k: Kernel, pid: Pid, plan: ClonePlan, ctx: CloneMapContext): Sys<Outcome> {
  let rule: "allow" | "deny";
  let defaultHostUid: number;
  let defaultHostGid: number;

  if (ctx.caps.setid) {
    rule = "allow";
    // By default a privileged user is not mapped: the app's own ids map to themselves.
    defaultHostUid = ctx.userCred.uid;
    defaultHostGid = ctx.userCred.baseGid;
  } else {
    rule = "deny";
    defaultHostUid = ctx.mainEuid;
    defaultHostGid = ctx.mainEgid;
  }

  const uid = yield* cloneCredentialMapSet(k, "uid_map", pid, ctx.userCred.uid, defaultHostUid, plan.uidmap);
  if (!uid.ok) {
    return uid;
  }

  // Both steps are module-level generators: a generator function created per call gets a
  // fresh hidden class whose constructor (the closure, and through it the whole run) V8's
  // young-generation GC keeps alive until a full GC; that alone made runs 3x slower.
  const setgroupsFirst = ctx.setgroupsLast !== true;
  const first = setgroupsFirst
    ? yield* cloneCredentialSetgroupsStep(k, pid, rule)
    : yield* cloneCredentialMapSet(k, "gid_map", pid, ctx.userCred.baseGid, defaultHostGid, plan.gidmap);
  if (!first.ok) {
    return first;
  }
  const second = setgroupsFirst
    ? yield* cloneCredentialMapSet(k, "gid_map", pid, ctx.userCred.baseGid, defaultHostGid, plan.gidmap)
    : yield* cloneCredentialSetgroupsStep(k, pid, rule);
  if (!second.ok) {
    return second;
  }
  return ok();
}

/** The setgroups write as nxt_clone_credential_map reports its failure. */
function* cloneCredentialSetgroupsStep(k: Kernel, pid: Pid, rule: "allow" | "deny"): Sys<Outcome> {
  const sg = yield* cloneCredentialSetgroups(k, pid, rule);
  return sg.ok ? sg : fail([...sg.alerts, `failed to write /proc/${pid}/setgroups`]);
}

function covers(m: MapEntry, id: number): boolean {
  return id >= u32(m.container) && id < u32(m.container + m.size);
}

/** nxt_clone_vldt_credential_uidmap. */
export function cloneVldtCredentialUidmap(map: readonly MapEntry[], creds: Credential, ctx: VldtContext): Outcome {
  if (map.length === 0) {
    return ok();
  }

  if (!ctx.caps.setid) {
    if (map.length > 1) {
      return fail(
        `"uidmap" field has ${map.length} entries but unprivileged unit has a maximum of 1 map.`,
        "isolation/uidmap",
      );
    }

    const id = map[0]!.host;
    if (u32(id) !== ctx.mainEuid) {
      return fail(
        `"uidmap" field has an entry for host uid ${id} but unprivileged unit can only map itself (uid ${ctx.mainEuid}) into child namespaces.`,
        "isolation/uidmap",
      );
    }

    return ok();
  }

  for (const m of map) {
    if (covers(m, creds.uid)) {
      return ok();
    }
  }

  return fail(
    `"uidmap" field has no "container" entry for user "${creds.user}" (uid ${creds.uid})`,
    "isolation/uidmap",
  );
}

function hasOnlyBaseGroup(creds: Credential): boolean {
  return creds.gids.length === 0 || (creds.gids.length === 1 && creds.gids[0] === creds.baseGid);
}

/** nxt_clone_vldt_credential_gidmap. */
export function cloneVldtCredentialGidmap(map: readonly MapEntry[], creds: Credential, ctx: VldtContext): Outcome {
  const ngroups = creds.gids.length;
  const plural = ngroups > 1 ? "s" : "";

  if (!ctx.caps.setid) {
    if (!hasOnlyBaseGroup(creds)) {
      return fail(
        `unprivileged unit disallow supplementary groups for new namespace (user "${creds.user}" has ${ngroups} group${plural}).`,
        "isolation/gidmap",
      );
    }

    if (map.length === 0) {
      return ok();
    }

    if (map.length > 1) {
      return fail(
        `"gidmap" field has ${map.length} entries but unprivileged unit has a maximum of 1 map.`,
        "isolation/gidmap",
      );
    }

    const m = map[0]!;

    if (u32(m.host) !== ctx.mainEgid) {
      return fail(
        `"gidmap" field has an entry for host gid ${m.host} but unprivileged unit can only map itself (gid ${ctx.mainEgid}) into child namespaces.`,
        "isolation/gidmap",
      );
    }

    if (m.size > 1) {
      return fail(
        `"gidmap" field has an entry with "size": ${m.size}, but for unprivileged unit it must be 1.`,
        "isolation/gidmap",
      );
    }

    if (u32(m.container) !== creds.baseGid) {
      return fail(`"gidmap" field has no "container" entry for gid ${creds.baseGid}.`, "isolation/gidmap");
    }

    return ok();
  }

  if (map.length === 0) {
    if (!hasOnlyBaseGroup(creds)) {
      return fail(
        `"gidmap" field has no entries but user "${creds.user}" has ${ngroups} suplementary group${plural}.`,
        "isolation/gidmap",
      );
    }
    return ok();
  }

  const baseOk = map.some((m) => covers(m, creds.baseGid));
  const gidsOk = creds.gids.filter((g) => map.some((m) => covers(m, g))).length;

  if (!baseOk) {
    return fail(`"gidmap" field has no "container" entry for gid ${creds.baseGid}.`, "isolation/gidmap");
  }

  if (gidsOk < ngroups) {
    return fail(
      `"gidmap" field has missing suplementary gid mappings (found ${gidsOk} out of ${ngroups}).`,
      "isolation/gidmap",
    );
  }

  return ok();
}

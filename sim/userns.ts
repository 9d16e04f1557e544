// User namespaces and credentials, after kernel/user_namespace.c and kernel/sys.c.
//
// Credentials hold kernel ids (ids of the initial user namespace), as Linux does; what a
// process sees is that id mapped into its own user namespace (65534 when unmapped).
// Capabilities are all-or-nothing inside the process's user namespace.

import type { Errno } from "../lifecycle/kernel.ts";
import { errno } from "../lifecycle/kernel.ts";

export const OVERFLOW_ID = 65534;
/** Linux UID_GID_MAP_MAX_EXTENTS. */
export const MAX_MAP_EXTENTS = 340;
const ID_LIMIT = 4294967295; // (u32)-1 is the invalid id

export interface IdExtent {
  /** First id inside the namespace. */
  readonly first: number;
  /** First kernel id it maps to (translated through the parent namespace at write time). */
  readonly lowerKernel: number;
  readonly count: number;
}

export type SetgroupsPolicy = "allow" | "deny";
export type IdKind = "uid" | "gid";

export class UserNamespace {
  readonly level: number;
  /** null until /proc/<pid>/{uid,gid}_map is written; the initial namespace maps everything. */
  uidMap: IdExtent[] | null;
  gidMap: IdExtent[] | null;
  setgroups: SetgroupsPolicy;

  constructor(
    readonly inode: number,
    readonly parent: UserNamespace | null,
    /** Kernel euid/egid of the creator. */
    readonly ownerUid: number,
    readonly ownerGid: number,
  ) {
    this.level = parent === null ? 0 : parent.level + 1;
    const identity = parent === null ? [{ first: 0, lowerKernel: 0, count: ID_LIMIT }] : null;
    this.uidMap = identity;
    this.gidMap = identity;
    // A new namespace inherits "deny" from its parent (ns->flags = parent->flags).
    this.setgroups = parent === null ? "allow" : parent.setgroups;
  }

  map(kind: IdKind): IdExtent[] | null {
    return kind === "uid" ? this.uidMap : this.gidMap;
  }
}

export interface Creds {
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  suid: number;
  sgid: number;
  fsuid: number;
  fsgid: number;
  /** Supplementary groups, kernel gids. */
  groups: number[];
  userns: UserNamespace;
  /** Full capability set in `userns` (true) or none (false). */
  caps: boolean;
  noNewPrivs: boolean;
}

export function initialCreds(userns: UserNamespace, uid: number, gid: number, groups: readonly number[]): Creds {
  return {
    uid, gid, euid: uid, egid: gid, suid: uid, sgid: gid, fsuid: uid, fsgid: gid,
    groups: [...groups], userns, caps: uid === 0, noNewPrivs: false,
  };
}

export function copyCreds(c: Creds): Creds {
  return { ...c, groups: [...c.groups] };
}

/** make_kuid: an id of `ns` as a kernel id, or null when unmapped. */
export function toKernelId(ns: UserNamespace, kind: IdKind, id: number): number | null {
  if (!Number.isInteger(id) || id < 0 || id >= ID_LIMIT) return null;
  for (const e of ns.map(kind) ?? []) {
    if (id >= e.first && id - e.first < e.count) return e.lowerKernel + (id - e.first);
  }
  return null;
}

function rangeToKernel(ns: UserNamespace, kind: IdKind, id: number, count: number): number | null {
  for (const e of ns.map(kind) ?? []) {
    if (id >= e.first && id - e.first + count <= e.count) return e.lowerKernel + (id - e.first);
  }
  return null;
}

/** from_kuid: a kernel id as seen in `ns`, or null when unmapped. */
export function fromKernelId(ns: UserNamespace, kind: IdKind, kernelId: number): number | null {
  for (const e of ns.map(kind) ?? []) {
    if (kernelId >= e.lowerKernel && kernelId - e.lowerKernel < e.count) return e.first + (kernelId - e.lowerKernel);
  }
  return null;
}

/** from_kuid_munged: unmapped ids appear as the overflow id. */
export function viewId(ns: UserNamespace, kind: IdKind, kernelId: number): number {
  return fromKernelId(ns, kind, kernelId) ?? OVERFLOW_ID;
}

/**
 * ns_capable: full caps in the process's own namespace reach its descendants, and the
 * owner of a namespace has every capability in it from the parent namespace.
 */
export function capable(c: Creds, target: UserNamespace): boolean {
  for (let ns: UserNamespace | null = target; ns !== null; ns = ns.parent) {
    if (ns === c.userns) return c.caps;
    if (ns.parent === c.userns && ns.ownerUid === c.euid) return true;
  }
  return false;
}

/** clone(CLONE_NEWUSER): the caller's ids must be mapped where it lives. */
export function mayCreateUserns(c: Creds): boolean {
  return fromKernelId(c.userns, "uid", c.euid) !== null && fromKernelId(c.userns, "gid", c.egid) !== null && c.userns.level < 32;
}

// ---- /proc/<pid>/uid_map, gid_map, setgroups ----

export interface MapWriteRules {
  /** Model kernels before 3.19: no setgroups file, no deny requirement for gid_map. */
  readonly noSetgroupsFile: boolean;
}

function parseMap(content: string): IdExtent[] | Errno {
  const text = content.endsWith("\n") ? content.slice(0, -1) : content;
  const lines = text.split("\n");
  if (lines.length > MAX_MAP_EXTENTS) return errno("EINVAL");
  const extents: IdExtent[] = [];
  for (const line of lines) {
    const m = /^[ \t]*(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]*$/.exec(line);
    if (m === null) return errno("EINVAL");
    const first = Number(m[1]);
    const lower = Number(m[2]);
    const count = Number(m[3]);
    if (count === 0 || first + count > ID_LIMIT || lower + count > ID_LIMIT) return errno("EINVAL");
    extents.push({ first, lowerKernel: lower, count }); // lowerKernel still a parent-ns id here
  }
  for (let i = 0; i < extents.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = extents[i]!;
      const b = extents[j]!;
      if (overlaps(a.first, a.count, b.first, b.count) || overlaps(a.lowerKernel, a.count, b.lowerKernel, b.count)) {
        return errno("EINVAL");
      }
    }
  }
  return extents;
}

function overlaps(a: number, an: number, b: number, bn: number): boolean {
  return a < b + bn && b < a + an;
}

/** map_write + new_idmap_permitted, in Linux's order of checks. */
export function writeIdMap(
  writer: Creds,
  target: UserNamespace,
  kind: IdKind,
  content: string,
  rules: MapWriteRules,
): Errno | undefined {
  const parent = target.parent;
  if (parent === null) return errno("EPERM"); // the initial namespace's maps are fixed
  if (writer.userns !== target && writer.userns !== parent) return errno("EPERM");
  if (target.map(kind) !== null) return errno("EPERM"); // write once
  if (!capable(writer, target)) return errno("EPERM"); // CAP_SYS_ADMIN over the target
  const parsed = parseMap(content);
  if ("errno" in parsed) return parsed;
  if (!idMapPermitted(writer, target, kind, parsed, rules)) return errno("EPERM");
  const extents: IdExtent[] = [];
  for (const e of parsed) {
    // map_id_range_down: the whole lower range must lie in one extent of the parent.
    const lowerStart = rangeToKernel(parent, kind, e.lowerKernel, e.count);
    if (lowerStart === null) return errno("EPERM");
    extents.push({ first: e.first, lowerKernel: lowerStart, count: e.count });
  }
  if (kind === "uid") target.uidMap = extents;
  else target.gidMap = extents;
  return undefined;
}

function idMapPermitted(writer: Creds, target: UserNamespace, kind: IdKind, extents: readonly IdExtent[], rules: MapWriteRules): boolean {
  const parent = target.parent!;
  const only = extents.length === 1 ? extents[0] : undefined;
  // An unprivileged owner may map exactly its own id.
  if (only !== undefined && only.count === 1 && target.ownerUid === writer.euid) {
    if (kind === "uid" && toKernelId(parent, "uid", only.lowerKernel) === writer.euid) return true;
    if (
      kind === "gid" &&
      (target.setgroups === "deny" || rules.noSetgroupsFile) &&
      toKernelId(parent, "gid", only.lowerKernel) === writer.egid
    ) {
      return true;
    }
  }
  // Otherwise CAP_SETUID / CAP_SETGID over the parent namespace.
  return capable(writer, parent);
}

/** proc_setgroups_write: "allow" or "deny"; "deny" only before gid_map is written. */
export function writeSetgroups(writer: Creds, target: UserNamespace, content: string): Errno | undefined {
  const word = content.trim();
  if (word !== "allow" && word !== "deny") return errno("EINVAL");
  if (!capable(writer, target)) return errno("EPERM");
  if (word === "allow") {
    if (target.setgroups === "deny") return errno("EPERM"); // a deny is permanent
  } else {
    if (target.gidMap !== null) return errno("EPERM");
    target.setgroups = "deny";
  }
  return undefined;
}

/** Linux's /proc/<pid>/{uid,gid}_map text as read from the initial namespace. */
export function formatIdMap(ns: UserNamespace, kind: IdKind): string {
  return (ns.map(kind) ?? [])
    .map((e) => `${pad10(e.first)} ${pad10(e.lowerKernel)} ${pad10(e.count)}\n`)
    .join("");
}

function pad10(n: number): string {
  return String(n).padStart(10, " ");
}

// ---- setuid / setgid / setgroups ----

export function setuid(c: Creds, uid: number): Errno | undefined {
  const k = toKernelId(c.userns, "uid", uid);
  if (k === null) return errno("EINVAL");
  const rootK = toKernelId(c.userns, "uid", 0);
  const wasRoot = rootK !== null && (c.uid === rootK || c.euid === rootK || c.suid === rootK);
  if (capable(c, c.userns)) {
    c.uid = c.euid = c.suid = c.fsuid = k;
  } else if (k === c.uid || k === c.suid) {
    c.euid = c.fsuid = k;
  } else {
    return errno("EPERM");
  }
  // cap_emulate_setxuid: leaving root (in the process's namespace) drops every capability.
  if (wasRoot && c.uid !== rootK && c.euid !== rootK && c.suid !== rootK) c.caps = false;
  return undefined;
}

export function setgid(c: Creds, gid: number): Errno | undefined {
  const k = toKernelId(c.userns, "gid", gid);
  if (k === null) return errno("EINVAL");
  if (capable(c, c.userns)) {
    c.gid = c.egid = c.sgid = c.fsgid = k;
  } else if (k === c.gid || k === c.sgid) {
    c.egid = c.fsgid = k;
  } else {
    return errno("EPERM");
  }
  return undefined;
}

export function setgroups(c: Creds, gids: readonly number[]): Errno | undefined {
  // may_setgroups: CAP_SETGID, a written gid_map and setgroups "allow" (EPERM before EINVAL).
  if (!capable(c, c.userns) || c.userns.gidMap === null || c.userns.setgroups !== "allow") return errno("EPERM");
  if (gids.length > 65536) return errno("EINVAL");
  const kernelGids: number[] = [];
  for (const gid of gids) {
    const k = toKernelId(c.userns, "gid", gid);
    if (k === null) return errno("EINVAL");
    kernelGids.push(k);
  }
  c.groups = kernelGids.sort((a, b) => a - b); // Linux keeps group_info sorted
  return undefined;
}

// The members every application shares in the controller's configuration validation
// (src/nxt_conf_validation.c at c8d9106a): nxt_conf_vldt_common_members with limits, processes
// (nxt_conf_vldt_processes), environment and isolation (namespaces, uid/gid maps, automount,
// cgroup), and the threads and targets checks the language tables (conf-validation-langs.ts) use.

import type { Json } from "./kernel.ts";
import { confVldtCgroupPath } from "./conf-validation-cgroup.ts";
import { T_ARRAY, T_BOOLEAN, T_INTEGER, T_OBJECT, T_STRING } from "./conf-validation-walk.ts";
import { arrayIterator, err, get, isObject, objectIterator, objectOf, vldtObject } from "./conf-validation-walk.ts";
import type { ConfValidateOptions, Member, Validator, VErr, Vldt } from "./conf-validation-walk.ts";
import type { UpstreamCommit } from "./options.ts";

const INT32_MAX = 2147483647;
/** sysconf(_SC_THREAD_STACK_MIN) and the page size of an x86-64 glibc host. */
const THREAD_STACK_MIN = 16384;
const PAGE_SIZE = 4096;

/* ---------------------------------------------------------------- applications */

export const vldtThreads: Validator = (_v, value, path) => {
  const n = value as number;
  if (n < 1) return err(path, `The "threads" number must be equal to or greater than 1.`);
  if (n > INT32_MAX) return err(path, `The "threads" number must not exceed ${INT32_MAX}.`);
  return null;
};

export const vldtThreadStackSize: Validator = (_v, value, path) => {
  const n = value as number;
  if (n < THREAD_STACK_MIN) {
    return err(path, `The "thread_stack_size" number must be equal to or greater than ${THREAD_STACK_MIN}.`);
  }
  if (n % PAGE_SIZE !== 0) {
    return err(path, `The "thread_stack_size" number must be a multiple of the system page size (${PAGE_SIZE}).`);
  }
  return null;
};

export function vldtTargetsExclusive(option: string): Validator {
  return (_v, _value, path) => err(path, `The "${option}" option is mutually exclusive with the "targets" object.`);
}

export function vldtTargets(targetMembers: () => readonly Member[]): Validator {
  return (v, value, path) => {
    if (isObject(value) && Object.keys(value).length > 254) {
      return err(path, `The "targets" object must not contain more than 254 members.`);
    }
    return objectIterator((v2, name, member, p) => {
      if (name.length === 0) return err(p, `The target name must not be empty.`);
      if (!isObject(member)) return err(p, `The "${name}" target must be an object.`);
      return vldtObject(v2, member, targetMembers(), p);
    })(v, value, path);
  };
}

const vldtEnvironment = (_v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  if (name.length === 0) return err(path, `The environment name must not be empty.`);
  if (name.includes("\0")) return err(path, `The environment name must not contain null character.`);
  if (name.includes("=")) return err(path, `The environment name must not contain '=' character.`);
  if (typeof value !== "string") return err(path, `The "${name}" environment value must be a string.`);
  if (value.includes("\0")) return err(path, `The "${name}" environment value must not contain null character.`);
  return null;
};

const limitsMembers: Member[] = [
  { name: "timeout", type: T_INTEGER },
  { name: "requests", type: T_INTEGER },
  { name: "shm", type: T_INTEGER },
];

const processesMembers: Member[] = [
  { name: "spare", type: T_INTEGER },
  { name: "max", type: T_INTEGER },
  { name: "idle_timeout", type: T_INTEGER },
];

const vldtProcesses: Validator = (v, value, path) => {
  if (has(v, "9e986704") && typeof value === "number" && Number.isInteger(value)) {
    // 9e986704 tests for NXT_CONF_INTEGER, so an integer is checked at last.
    if (value < 1) return err(path, `The "processes" number must be equal to or greater than 1.`);
    if (value > INT32_MAX) return err(path, `The "processes" number must not exceed ${INT32_MAX}.`);
    return null;
  }
  // Unit compares the value's type with NXT_CONF_NUMBER (fractional), which an integer never
  // is, so an integer "processes" falls through to the object checks (which find no
  // members and the defaults) and any integer (0, negative, huge) is accepted at c8d9106a
  // (fixed upstream in 2024, 9e986704).
  const r = vldtObject(v, value, processesMembers, path);
  if (r) return r;
  const int = (name: string, dflt: number): number => {
    const m = get(value, name);
    return typeof m === "number" && Number.isInteger(m) ? m : dflt;
  };
  const spare = int("spare", 0);
  const max = int("max", 1);
  const idle = int("idle_timeout", 15);
  if (spare < 0) return err(path, `The "spare" number must not be negative.`);
  if (spare > INT32_MAX) return err(path, `The "spare" number must not exceed ${INT32_MAX}.`);
  if (max < 1) return err(path, `The "max" number must be equal to or greater than 1.`);
  if (max > INT32_MAX) return err(path, `The "max" number must not exceed ${INT32_MAX}.`);
  if (max < spare) return err(path, `The "spare" number must be less than or equal to "max".`);
  if (idle < 0) return err(path, `The "idle_timeout" number must not be negative.`);
  const idleMax = Math.trunc(INT32_MAX / 1000);
  if (idle > idleMax) return err(path, `The "idle_timeout" number must not exceed ${idleMax}.`);
  return null;
};

const procmapMembers: Member[] = [
  { name: "container", type: T_INTEGER },
  { name: "host", type: T_INTEGER },
  { name: "size", type: T_INTEGER },
];

/** eba7378d: the three members are NXT_CONF_VLDT_REQUIRED. */
const procmapRequiredMembers: Member[] = procmapMembers.map((m) => ({ ...m, required: true }));

function has(v: Vldt, commit: UpstreamCommit): boolean {
  return v.opts.upstream?.includes(commit) ?? false;
}

function vldtCloneMap(field: "uidmap" | "gidmap", mapfile: string): Validator {
  return arrayIterator((v, value, path) => {
    if (!isObject(value)) {
      return err(path, `The "${field}" array must contain only object values.`);
    }
    const r = vldtObject(v, value, has(v, "eba7378d") ? procmapRequiredMembers : procmapMembers, path);
    if (r) return r;
    // 990fbe70 removed nxt_conf_vldt_clone_procmap: an explicit -1 is accepted from then on.
    if (has(v, "990fbe70")) return null;
    for (const name of ["container", "host", "size"]) {
      const m = get(value, name);
      // nxt_conf_vldt_clone_procmap starts each field at -1: an explicit -1 also counts as unset.
      if (typeof m !== "number" || (m | 0) === -1) {
        return err(path, `The ${mapfile} requires the "${name}" field set.`);
      }
    }
    return null;
  });
}

const namespacesMembers: Member[] = [
  { name: "credential", type: T_BOOLEAN },
  { name: "pid", type: T_BOOLEAN },
  { name: "network", type: T_BOOLEAN },
  { name: "mount", type: T_BOOLEAN },
  { name: "uname", type: T_BOOLEAN },
  { name: "cgroup", type: T_BOOLEAN },
];

const automountMembers: Member[] = [
  { name: "language_deps", type: T_BOOLEAN },
  { name: "tmpfs", type: T_BOOLEAN },
  { name: "procfs", type: T_BOOLEAN },
];

function isolationMembers(opts: ConfValidateOptions): Member[] {
  const members: Member[] = [
    { name: "namespaces", type: T_OBJECT, validator: objectOf(() => namespacesMembers) },
    { name: "uidmap", type: T_ARRAY, validator: vldtCloneMap("uidmap", "uid_map") },
    { name: "gidmap", type: T_ARRAY, validator: vldtCloneMap("gidmap", "gid_map") },
    { name: "rootfs", type: T_STRING },
    { name: "automount", type: T_OBJECT, validator: objectOf(() => automountMembers) },
  ];
  if (opts.havePrSetNoNewPrivs) {
    members.push({ name: "new_privs", type: T_BOOLEAN });
  }
  if (opts.upstream?.includes("f67a01b8")) {
    members.push({ name: "cgroup", type: T_OBJECT, validator: objectOf(() => cgroupMembers) });
  }
  return members;
}

/** f67a01b8: nxt_conf_vldt_app_cgroup_members (lifecycle/conf-validation-cgroup.ts). */
const cgroupMembers: Member[] = [
  { name: "path", type: T_STRING, required: true, validator: (_v, value, path) => errIf(path, confVldtCgroupPath(value as string)) },
];

function errIf(path: string[], detail: string | null): VErr | null {
  return detail === null ? null : err(path, detail);
}

export const commonMembers: Member[] = [
  { name: "type", type: T_STRING },
  { name: "limits", type: T_OBJECT, validator: objectOf(() => limitsMembers) },
  { name: "processes", type: T_INTEGER | T_OBJECT, validator: vldtProcesses },
  { name: "user", type: T_STRING },
  { name: "group", type: T_STRING },
  { name: "working_directory", type: T_STRING },
  { name: "environment", type: T_OBJECT, validator: objectIterator(vldtEnvironment) },
  { name: "isolation", type: T_OBJECT, validator: (v, value, path) => vldtObject(v, value, isolationMembers(v.opts), path) },
];

// src/nxt_isolation.c, NXT_HAVE_CLONE: the application's "namespaces" as clone flags.

import {
  CLONE_NEWCGROUP,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from "./kernel.ts";
import type { Json } from "./kernel.ts";
import { fail, ok } from "./credential.ts";
import type { Outcome } from "./credential.ts";
import { confGetObjectMember as member, isObject } from "./conf.ts";
import type { ClonePlan, Isolation } from "./isolation.ts";

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

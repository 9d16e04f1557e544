// Validation of "isolation": {"cgroup": {"path": ...}} (upstream f67a01b8, Unit 1.29.0 on, in
// builds with cgroup v2): nxt_conf_vldt_cgroup_path. The member tables that hook it in are in
// lifecycle/conf-validation-apps.ts.

import { NXT_CGROUP_ROOT, NXT_MAX_PATH_LEN } from "./cgroup.ts";

/** nxt_conf_vldt_cgroup_path: Unit's error text, or null when the path is accepted. */
export function confVldtCgroupPath(cgpath: string): string | null {
  // The length is in bytes; the build's cgroup2 mount and a '/' must still fit in a path.
  if (new TextEncoder().encode(cgpath).length >= NXT_MAX_PATH_LEN - NXT_CGROUP_ROOT.length - 1) {
    return `The cgroup path "${cgpath}" is too long.`;
  }
  // Unit prints "/%*s/" (a width, not a precision): the model takes the string to end at its length.
  const path = `/${cgpath}/`;
  if (cgpath.length === 0 || path.includes("/../")) {
    return `The cgroup path "${cgpath}" is invalid.`;
  }
  return null;
}

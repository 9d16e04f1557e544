// src/nxt_isolation.c, NXT_HAVE_ISOLATION_ROOTFS: the application's "rootfs" and "automount",
// and the mount list main makes of them and the language module's mounts.

import { CLONE_NEWUSER } from "./kernel.ts";
import type { Json } from "./kernel.ts";
import { fail, ok } from "./credential.ts";
import type { Outcome } from "./credential.ts";
import { confGetObjectMember as member } from "./conf.ts";
import { isCloneFlagSet } from "./clone.ts";
import type { Automount, Capabilities, FsMount, Isolation } from "./isolation.ts";

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

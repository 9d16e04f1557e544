// unitd before its first line runs: the plain-data image of the main process (what
// nxt_runtime_create prepares from the command line and the stored configuration), and
// the first continuation, which reads the pid and credentials from the kernel.

import type { Ctx } from "./context.ts";
import { copyPlain, freezePlain } from "./copy.ts";
import { credentialGet, type Credential } from "./credential.ts";
import type { Capabilities } from "./isolation.ts";
import type { Json, Sys } from "./kernel.ts";
import { runtimeInitialStart } from "./main-process.ts";
import { LVLHSH_PROCESSES_PROTO, lvlhshCreate } from "./lvlhsh.ts";
import { hasMutant, type ModelOptions } from "./options.ts";
import { NXT_PROCESS_MAIN, type UnitGlobals } from "./state.ts";

export interface UnitdBoot {
  options: ModelOptions;
  /** `--user` / `--group` */
  user: string;
  group: string | null;
  /** What nxt_capability_set finds (root: setid and chroot). */
  capabilities: Capabilities;
  /** The stored configuration the controller will push to the router. */
  conf: Json;
}

export function unitdImage(boot: UnitdBoot): UnitGlobals {
  return {
    pid: 0,
    ppid: 0,
    euid: 0,
    egid: 0,
    portNextId: 1,
    rt: {
      type: NXT_PROCESS_MAIN,
      isPidIsolated: false,
      processes: lvlhshCreate(LVLHSH_PROCESSES_PROTO),
      nprocesses: 0,
      mprocess: null,
      ports: {},
      portByType: [null, null, null, null, null, null],
      readPorts: {},
      capabilities: { ...boot.capabilities },
      userCred: { user: boot.user, uid: 0, baseGid: 0, gids: [] },
      status: 0,
      shutdown: false,
      streamCounter: -1,
      languages: [],
    },
    heap: { next: 1, objs: {} },
    options: freezePlain(copyPlain(boot.options)),
    main: { exiting: false, conf: freezePlain(copyPlain(boot.conf)), mainUser: boot.user, mainGroup: boot.group },
    proto: null,
    router: null,
    controller: null,
    unit: null,
  };
}

/** The first continuation of unitd: nxt_runtime_create's look at the process, then start. */
export function* unitdMain(ctx: Ctx): Sys<void> {
  const s = ctx.s;
  if (hasMutant(s.options, "model-throws")) throw new TypeError("mutant model-throws: the model's own code failed");
  s.pid = ctx.k.getpid();
  s.euid = ctx.k.geteuid();
  s.egid = ctx.k.getegid();
  if (s.rt.capabilities.setid) {
    const cred = credentialGet(s.options.users, s.main!.mainUser, s.main!.mainGroup);
    if (!cred.ok) {
      for (const text of cred.alerts) ctx.k.trace({ what: "alert", text });
      return yield* ctx.k.exit(1);
    }
    s.rt.userCred = freezePlain(cred.value);
  } else {
    ctx.k.trace({ what: "log", text: "Unit is running unprivileged, then it cannot use arbitrary user and group." });
    s.rt.userCred = freezePlain(unprivilegedCred(s.main!.mainUser, s.euid, s.egid));
  }
  yield* runtimeInitialStart(ctx);
}

function unprivilegedCred(user: string, uid: number, gid: number): Credential {
  return { user, uid, baseGid: gid, gids: [] };
}

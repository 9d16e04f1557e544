// Can this machine run the real backend? One real spawn into every namespace the runs use
// tells; the answer carries the exact reason when it cannot (tests print it when skipping).

import * as native from "./native.ts";
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS } from "../lifecycle/kernel.ts";

export type RealSupport = { ok: true } | { ok: false; reason: string };

const RUN_NAMESPACES = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC;

let cached: RealSupport | null = null;

export function realSupport(): RealSupport {
  cached ??= probe();
  return cached;
}

function probe(): RealSupport {
  if (process.platform !== "linux") return { ok: false, reason: `the real backend needs Linux (this is ${process.platform})` };
  try {
    native.loadNative();
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  let child: native.Spawned;
  try {
    child = native.spawn({ file: "/bin/true", argv: ["true"], envp: [], cloneFlags: RUN_NAMESPACES, keepFds: [] });
  } catch (err) {
    const e = err as { code?: string; syscall?: string; message: string };
    return { ok: false, reason: `cannot create namespaces (${e.syscall ?? "spawn"}: ${e.code ?? e.message}); user namespaces may be restricted (e.g. kernel.apparmor_restrict_unprivileged_userns=1)` };
  }
  let waited = native.pidfdWait(child.pidfd);
  while (waited === null) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    waited = native.pidfdWait(child.pidfd);
  }
  native.close(child.pidfd);
  if (waited.how !== "exited" || waited.status !== 0) return { ok: false, reason: `a namespaced /bin/true ended ${waited.how} ${waited.status}` };
  return { ok: true };
}

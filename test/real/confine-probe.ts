// A program that tries, from inside a real run, what a confined run must not be able to do
// (test/real/confine.test.ts). Every attempt is harmless where it succeeds: files are opened
// for writing and closed unchanged (or created and removed at once), a signal 0 only asks
// whether the target can be signalled, the host name is set to the one it has. Each result
// is logged as ["probe name", "ok" | errno code | "pending"].

import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { hostname } from "node:os";

import type { Json, Kernel } from "../../lifecycle/kernel.ts";
import { isErrno } from "../../lifecycle/kernel.ts";
import { cont, toyProgram } from "../sim/toy-program.ts";

/** What the harness passes in: paths and a pid of the host, where the run must not reach. */
export interface ProbeImage {
  [key: string]: Json;
  hostFile: string;
  hostPid: number;
}

/** A non-loopback address that routes nowhere even on a host (TEST-NET-1, RFC 5737). */
const OUTSIDE = "192.0.2.1";
const CONNECT_WAIT_MS = 1500;

function attempt(call: () => void): string {
  try {
    call();
    return "ok";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

function log(k: Kernel, name: string, value: Json): void {
  k.trace({ what: "log", text: JSON.stringify([name, value]) });
}

/** Opened for writing and closed, nothing written. */
const openForWrite = (path: string) => () => closeSync(openSync(path, "r+"));
/** Created, closed and removed. */
const createAndRemove = (path: string) => () => {
  closeSync(openSync(path, "wx"));
  unlinkSync(path);
};

export const confineProbeProgram = toyProgram({
  probe(k, state) {
    const image = state as ProbeImage;
    log(k, "write-host-file", attempt(openForWrite(image.hostFile)));
    log(k, "write-etc", attempt(openForWrite("/etc/passwd")));
    // World-writable on the host: only the read-only mount stops it.
    log(k, "create-in-var-tmp", attempt(createAndRemove(`/var/tmp/nxtsim-confine-probe-${image.hostPid}`)));
    log(k, "create-in-run-tmp", attempt(createAndRemove(`/tmp/nxtsim-confine-probe-${image.hostPid}`)));
    log(k, "signal-host-pid", attempt(() => process.kill(image.hostPid, 0)));
    log(k, "signal-run-init", attempt(() => process.kill(1, 0))); // the control: a pid it may signal
    // sethostname needs CAP_SYS_ADMIN over the host's UTS namespace (the run shares it).
    const set = spawnSync("hostname", [hostname()], { encoding: "utf8" });
    log(k, "sethostname", set.status === 0 ? "ok" : /must be root|not permitted/i.test(set.stderr) ? "EPERM" : `exit ${set.status}: ${set.stderr.trim()}`);
    log(k, "cgroup", readFileSync("/proc/self/cgroup", "utf8"));
    log(k, "uid_map", readFileSync("/proc/self/uid_map", "utf8"));
    const socket = connect({ host: OUTSIDE, port: 9 });
    const done = (result: string): void => {
      clearTimeout(timer);
      socket.destroy();
      log(k, "connect-outside", result);
      k.exit(0).next(); // from a socket callback: the real kernel's exit ends the process in its first step
    };
    const timer = setTimeout(() => done("pending"), CONNECT_WAIT_MS);
    socket.on("connect", () => done("ok"));
    socket.on("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  },

  /** Clones sleepers until the kernel refuses one; logs how many it made and the refusal. */
  *forkUntilRefused(k) {
    for (let made = 0; made < 200; made++) {
      const pid = yield* k.clone(0, {}, cont("sleep"));
      if (isErrno(pid)) {
        log(k, "refused", { made, errno: pid.errno });
        return yield* k.exit(0);
      }
    }
    log(k, "refused", { made: 200, errno: "none" });
    return yield* k.exit(0);
  },

  sleep() {
    /* stays alive (the process keeps an interval) until the run is torn down */
  },
});

/** The logs of a probe run, by name (the last value of each). */
export function probeResults(trace: readonly { kind: string; event?: { what: string; text?: string } }[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const e of trace) {
    if (e.kind !== "model" || e.event?.what !== "log" || e.event.text === undefined) continue;
    const [name, value] = JSON.parse(e.event.text) as [string, Json];
    out[name] = value;
  }
  return out;
}

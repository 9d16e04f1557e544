// A tiny recording Kernel for the isolation tests: only the credential and /proc calls do
// anything; every other call fails the test loudly.

import { errno } from "../../lifecycle/kernel.ts";
import type { Errno, ErrnoName, Gid, Kernel, Pid, ProcMapFile, Uid } from "../../lifecycle/kernel.ts";

export type Call =
  | { call: "writeProcFile"; pid: Pid; file: ProcMapFile; content: string }
  | { call: "setgid"; gid: Gid }
  | { call: "setgroups"; gids: Gid[] }
  | { call: "setuid"; uid: Uid };

export interface FakeKernel extends Kernel {
  calls: Call[];
  /** Make the next call of that name fail with this errno. */
  failOn: Partial<Record<"uid_map" | "gid_map" | "setgroups-file" | "setgid" | "setgroups" | "setuid", ErrnoName>>;
}

function unexpected(name: string): never {
  throw new Error(`fake kernel: unexpected call ${name}`);
}

export function fakeKernel(): FakeKernel {
  const calls: Call[] = [];
  const failOn: FakeKernel["failOn"] = {};
  const result = (key: keyof FakeKernel["failOn"]): Errno | undefined => {
    const e = failOn[key];
    return e === undefined ? undefined : errno(e);
  };
  // Only the calls the isolation code makes are written out; any other Kernel method
  // (including ones added to the interface later) throws through the Proxy below.
  const impl: Partial<FakeKernel> = {
    calls,
    failOn,
    setgroups(gids) {
      calls.push({ call: "setgroups", gids: [...gids] });
      return result("setgroups");
    },
    setgid(gid) {
      calls.push({ call: "setgid", gid });
      return result("setgid");
    },
    setuid(uid) {
      calls.push({ call: "setuid", uid });
      return result("setuid");
    },
    // A generator, as the Kernel's points are; the isolation code runs it with yield*.
    *writeProcFile(pid, file, content) {
      calls.push({ call: "writeProcFile", pid, file, content });
      return result(file === "setgroups" ? "setgroups-file" : file);
    },
    trace: () => undefined,
  };
  return new Proxy(impl, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      return () => unexpected(String(prop));
    },
  }) as FakeKernel;
}

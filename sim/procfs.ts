// /proc as a memfs snapshot, built on demand (never on the hot path): what a reader in the
// host namespaces would see for every live or zombie process.

import { memfs } from "memfs";
import { NS_NAMES, nsLink, type NsName } from "./namespaces.ts";
import type { SimProcess } from "./process.ts";
import { PipeEnd } from "./pipes.ts";
import { SocketEnd } from "./sockets.ts";
import { formatIdMap } from "./userns.ts";
import type { World } from "./world.ts";

export type ProcFs = ReturnType<typeof memfs>;

export function buildProcfs(world: World): ProcFs {
  const { fs, vol } = memfs({ "/proc": null });
  for (const proc of world.sortedProcs()) {
    const dir = `/proc/${proc.hostPid}`;
    fs.mkdirSync(`${dir}/ns`, { recursive: true });
    fs.mkdirSync(`${dir}/fd`, { recursive: true });
    fs.writeFileSync(`${dir}/status`, statusText(proc));
    const userns = proc.creds.userns;
    fs.writeFileSync(`${dir}/uid_map`, formatIdMap(userns, "uid"));
    fs.writeFileSync(`${dir}/gid_map`, formatIdMap(userns, "gid"));
    fs.writeFileSync(`${dir}/setgroups`, `${userns.setgroups}\n`);
    if (proc.status === "running" || proc.status === "exiting") {
      // A zombie's ns/ and fd/ are empty on Linux: it has released them.
      for (const name of NS_NAMES) fs.symlinkSync(nsLink(name, nsInode(proc, name)), `${dir}/ns/${name}`);
      for (const fd of proc.fds.fds()) {
        const file = proc.fds.get(fd)!.file;
        fs.symlinkSync(file instanceof SocketEnd ? `socket:[${file.inode}]` : file instanceof PipeEnd ? `pipe:[${file.pipe.inode}]` : "/dev/null", `${dir}/fd/${fd}`);
      }
    }
  }
  return { fs, vol };
}

export function nsInode(proc: SimProcess, name: NsName): number {
  switch (name) {
    case "pid":
      return proc.pidNs.inode;
    case "user":
      return proc.creds.userns.inode;
    default:
      return proc.ns[name];
  }
}

function statusText(proc: SimProcess): string {
  const c = proc.creds;
  const ppid = proc.parent === null ? 1 : proc.parent.pids[0]!.nr;
  const state = proc.status === "zombie" ? "Z (zombie)" : "S (sleeping)";
  return [
    `Name:\t${proc.ptype === "" ? "sim" : proc.ptype}`,
    `State:\t${state}`,
    `Tgid:\t${proc.pids[0]!.nr}`,
    `Pid:\t${proc.pids[0]!.nr}`,
    `PPid:\t${ppid}`,
    `Uid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid}`,
    `Gid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid}`,
    `Groups:\t${c.groups.join(" ")}${c.groups.length > 0 ? " " : ""}`,
    `NStgid:\t${proc.pids.map((l) => l.nr).join("\t")}`,
    `NSpid:\t${proc.pids.map((l) => l.nr).join("\t")}`,
    `NoNewPrivs:\t${c.noNewPrivs ? 1 : 0}`,
    // The capability bits, whatever user namespace they apply in.
    `CapEff:\t${c.caps ? "000001ffffffffff" : "0000000000000000"}`,
    "",
  ].join("\n");
}

// Kernel facts about processes, for properties and tests (the same shape the real backend
// reports). Ids are kernel ids, i.e. as seen from the host namespaces.

import { nsInode } from "./procfs.ts";
import type { SimProcess } from "./process.ts";
import { PipeEnd } from "./pipes.ts";
import { SocketEnd } from "./sockets.ts";

export interface ProcessFacts {
  pid: number;
  nspids: number[];
  ppid: number;
  ptype: string;
  status: "running" | "zombie" | "reaped";
  exit: { status: number | null; signal: number | null } | null;
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  groups: number[];
  noNewPrivs: boolean;
  ns: Record<"mnt" | "net" | "uts" | "ipc" | "cgroup" | "pid" | "user", number>;
  /** Sockets (sock = pair id, end 0/1), pipes (sock = the pipe's inode, end 0 = read, 1 = write) and /dev/null. */
  fds: { fd: number; kind: "socket" | "pipe" | "null"; sock: number; end: 0 | 1; cloexec: boolean }[];
}

export function factsOf(proc: SimProcess): ProcessFacts {
  const c = proc.creds;
  return {
    pid: proc.hostPid,
    nspids: proc.pids.map((l) => l.nr),
    ppid: proc.parent === null ? 1 : proc.parent.hostPid,
    ptype: proc.ptype,
    // A process still in do_exit (a run cut short) holds its pid and some fds: not yet a zombie.
    status: proc.status === "exiting" ? "running" : proc.status,
    exit: proc.exit === null ? null : { status: proc.exit.status, signal: proc.exit.signal },
    uid: c.uid,
    gid: c.gid,
    euid: c.euid,
    egid: c.egid,
    groups: [...c.groups],
    noNewPrivs: c.noNewPrivs,
    ns: {
      mnt: nsInode(proc, "mnt"),
      net: nsInode(proc, "net"),
      uts: nsInode(proc, "uts"),
      ipc: nsInode(proc, "ipc"),
      cgroup: nsInode(proc, "cgroup"),
      pid: nsInode(proc, "pid"),
      user: nsInode(proc, "user"),
    },
    fds: proc.fds.fds().map((fd) => {
      const entry = proc.fds.get(fd)!;
      const file = entry.file;
      if (file instanceof SocketEnd) return { fd, kind: "socket" as const, sock: file.pair.id, end: file.index, cloexec: entry.cloexec };
      if (file instanceof PipeEnd) return { fd, kind: "pipe" as const, sock: file.pipe.inode, end: file.writeEnd ? (1 as const) : (0 as const), cloexec: entry.cloexec };
      return { fd, kind: "null" as const, sock: 0, end: 0 as const, cloexec: entry.cloexec };
    }),
  };
}

// Kernel facts read from the host's /proc: what a process really is, not what it says.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

import type { NsName, SelfReport } from "./wire.ts";

export const NS_NAMES: readonly NsName[] = ["mnt", "net", "uts", "ipc", "cgroup", "pid", "user"];

export interface ProcStatus {
  state: string;
  ppid: number;
  nspids: number[];
  uid: number;
  gid: number;
  noNewPrivs: boolean;
}

/** /proc/<pid>/status, or null when the process is gone. */
export function readStatus(pid: number | "self"): ProcStatus | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(text)?.[1] ?? "";
  const ids = (name: string): number[] => field(name).split(/\s+/).filter(Boolean).map(Number);
  return {
    state: field("State").charAt(0),
    ppid: Number(field("PPid")),
    nspids: ids("NSpid"),
    uid: ids("Uid")[0] ?? -1,
    gid: ids("Gid")[0] ?? -1,
    noNewPrivs: field("NoNewPrivs") === "1",
  };
}

/** Namespace inodes of a process (0 for one that cannot be read). */
export function readNamespaces(pid: number | "self"): Record<NsName, number> {
  const out = {} as Record<NsName, number>;
  for (const name of NS_NAMES) {
    try {
      out[name] = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${name}`))?.[1] ?? 0);
    } catch {
      out[name] = 0;
    }
  }
  return out;
}

/** Every fd of a process that is a socket, with the socket's inode. */
export function readSocketFds(pid: number): { fd: number; inode: number }[] {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: { fd: number; inode: number }[] = [];
  for (const name of names) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${name}`));
      if (m !== null) out.push({ fd: Number(name), inode: Number(m[1]) });
    } catch {
      /* closed while we looked */
    }
  }
  return out.sort((a, b) => a.fd - b.fd);
}

/** What a process reports of itself at start. */
export function selfReport(): SelfReport {
  const status = readStatus("self");
  if (status === null) throw new Error("cannot read /proc/self/status");
  return { nspids: status.nspids, ns: readNamespaces("self"), uid: status.uid, gid: status.gid };
}

/** uid_map, gid_map and setgroups as the host reads them ("" where unreadable). */
export function readIdMaps(pid: number): { uidMap: string; gidMap: string; setgroups: string } {
  const read = (file: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
      return "";
    }
  };
  return { uidMap: read("uid_map"), gidMap: read("gid_map"), setgroups: read("setgroups").trim() };
}

/**
 * The pids of this process's children as it sees them (/proc/self/task/<tid>/children, every
 * thread's). /proc may be a mount of an outer pid namespace, whose numbers those lists use:
 * each child's NSpid gives its pid at our own depth. A child (or thread) gone meanwhile is left out.
 */
export function childrenOfSelf(): number[] {
  const depth = (readStatus("self")?.nspids.length ?? 1) - 1;
  const out: number[] = [];
  for (const tid of readdirSync("/proc/self/task")) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/task/${tid}/children`, "utf8").trim();
    } catch {
      continue; // a thread that ended since the listing
    }
    if (text === "") continue;
    for (const outer of text.split(/\s+/).map(Number)) {
      const pid = depth === 0 ? outer : readStatus(outer)?.nspids[depth];
      if (pid !== undefined) out.push(pid);
    }
  }
  return out;
}

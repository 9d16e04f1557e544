// Namespace identities. Linux names a namespace by the inode of /proc/<pid>/ns/<name>;
// the initial namespaces get the well-known numbers starting at 4026531835 and every new
// one takes the next number from the same counter.

import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from "../lifecycle/kernel.ts";

export const NS_NAMES = ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts"] as const;
export type NsName = (typeof NS_NAMES)[number];

/** The namespaces that are only an identity in this simulator (no behaviour behind them). */
export type PlainNsName = "mnt" | "net" | "uts" | "ipc" | "cgroup";

export const FIRST_NS_INODE = 4026531835;

export class NsInodes {
  private next = FIRST_NS_INODE;
  allocate(): number {
    return this.next++;
  }
}

export type PlainNamespaces = Record<PlainNsName, number>;

/** Initial namespaces, allocated in the order that gives Linux's usual numbers. */
export function initialNamespaceInodes(inodes: NsInodes): PlainNamespaces & { pid: number; user: number } {
  const cgroup = inodes.allocate(); // 4026531835
  const pid = inodes.allocate(); // 4026531836
  const user = inodes.allocate(); // 4026531837
  const uts = inodes.allocate(); // 4026531838
  const ipc = inodes.allocate(); // 4026531839
  const net = inodes.allocate();
  const mnt = inodes.allocate();
  return { mnt, net, uts, ipc, cgroup, pid, user };
}

const PLAIN_FLAGS: readonly (readonly [PlainNsName, number])[] = [
  ["mnt", CLONE_NEWNS],
  ["uts", CLONE_NEWUTS],
  ["ipc", CLONE_NEWIPC],
  ["net", CLONE_NEWNET],
  ["cgroup", CLONE_NEWCGROUP],
];

/** The child's plain namespaces: new ones for the flags given, the parent's otherwise. */
export function clonePlainNamespaces(parent: PlainNamespaces, flags: number, inodes: NsInodes): PlainNamespaces {
  const child: PlainNamespaces = { ...parent };
  unsharePlainNamespaces(child, flags, inodes);
  return child;
}

/** Namespace flags other than CLONE_NEWUSER: they need CAP_SYS_ADMIN in the (new) userns. */
export const PRIVILEGED_NS_FLAGS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWPID;

export function nsLink(name: NsName, inode: number): string {
  return `${name}:[${inode}]`;
}

/** unshare(2) of plain namespaces: the caller's own get new identities, in clone's order. */
export function unsharePlainNamespaces(ns: PlainNamespaces, flags: number, inodes: NsInodes): void {
  for (const [name, flag] of PLAIN_FLAGS) {
    if ((flags & flag) !== 0) ns[name] = inodes.allocate();
  }
}

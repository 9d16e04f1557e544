// A fake cgroup v2 tree, for the v2 path of real/run-cgroup.ts where the machine cannot run it
// (here pids and memory are bound to v1 hierarchies, so no cgroup2 mount can have them). It
// keeps the kernel's rules that path depends on (Documentation/admin-guide/cgroup-v2.rst);
// those marked (seen) are checked against this machine's real cgroup2 by cgroup-v2.test.ts:
// - a cgroup's cgroup.controllers is its parent's cgroup.subtree_control (the root's: the
//   controllers the hierarchy has) (seen); a controller's files exist in a non-root cgroup
//   only while its parent enables it (seen: none without);
// - enabling a controller that is not in cgroup.controllers fails ENOENT (seen);
// - enabling one in a non-root cgroup that holds processes fails EBUSY (no internal processes);
// - cgroupfs makes no new files: writing a missing one fails EACCES (seen);
// - rmdir of a cgroup holding processes (or children) fails EBUSY (seen); mkdir of an existing
//   one EEXIST; a process written to cgroup.procs leaves its old cgroup.

import { dirname, join } from "node:path";

import type { CgroupFs, CgroupHost } from "../../real/run-cgroup.ts";

interface Cgroup {
  procs: number[];
  subtree: string[];
  /** What was written to the controllers' files. */
  values: Map<string, string>;
}

const CORE = ["cgroup.controllers", "cgroup.events", "cgroup.procs", "cgroup.subtree_control"];
const CONTROLLER_FILES: Record<string, string[]> = {
  pids: ["pids.current", "pids.max"],
  memory: ["memory.current", "memory.max", "memory.peak"],
};
const WRITABLE = new Set(["cgroup.procs", "cgroup.subtree_control", "pids.max", "memory.max", "memory.swap.max"]);

function fail(code: string, syscall: string, path: string): never {
  throw Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

export class FakeCgroup2 implements CgroupFs {
  private readonly cgroups = new Map<string, Cgroup>();
  /** memory.peak of every cgroup. */
  memoryPeak = 0;

  constructor(
    readonly root: string,
    private readonly rootControllers: readonly string[],
    private readonly swapAccounting: boolean,
  ) {
    this.cgroups.set(root, { procs: [], subtree: [], values: new Map() });
  }

  /** A CgroupHost whose only hierarchy is this v2 tree, with us (pid `self`) in `own`. */
  host(own: string, self: number, alive: (pid: string) => boolean = () => false): CgroupHost {
    const dir = own === "/" ? this.root : join(this.root, own);
    if (!this.cgroups.has(dir)) this.mkdir(dir);
    this.write(join(dir, "cgroup.procs"), String(self));
    return { v2Roots: [this.root], v1Root: "/nonexistent", ownCgroups: () => `0::${own}\n`, alive, fs: this };
  }

  /** A process ends: it leaves its cgroup. */
  exit(pid: number): void {
    for (const cg of this.cgroups.values()) cg.procs = cg.procs.filter((p) => p !== pid);
  }

  /** The value last written to a controller's file (undefined: never written). */
  written(path: string): string | undefined {
    return this.cgroups.get(dirname(path))?.values.get(path.slice(dirname(path).length + 1));
  }

  exists(path: string): boolean {
    return this.cgroups.has(path) || this.files(dirname(path)).includes(path.slice(dirname(path).length + 1));
  }

  mkdir(path: string): void {
    if (this.cgroups.has(path) || this.exists(path)) fail("EEXIST", "mkdir", path);
    if (!this.cgroups.has(dirname(path))) fail("ENOENT", "mkdir", path);
    this.cgroups.set(path, { procs: [], subtree: [], values: new Map() });
  }

  list(path: string): string[] {
    if (!this.cgroups.has(path)) fail("ENOENT", "scandir", path);
    const children = [...this.cgroups.keys()].filter((p) => p !== path && dirname(p) === path).map((p) => p.slice(path.length + 1));
    return [...this.files(path), ...children].sort();
  }

  read(path: string): string {
    const [dir, name] = this.file(path, false);
    const cg = this.cgroups.get(dir)!;
    if (name === "cgroup.controllers") return this.controllers(dir).join(" ") + "\n";
    if (name === "cgroup.subtree_control") return cg.subtree.join(" ") + "\n";
    if (name === "cgroup.procs") return cg.procs.map((p) => `${p}\n`).join("");
    if (name === "memory.peak") return `${this.memoryPeak}\n`;
    return (cg.values.get(name) ?? (name.endsWith(".max") ? "max" : "0")) + "\n";
  }

  write(path: string, data: string): void {
    const [dir, name] = this.file(path, true);
    const cg = this.cgroups.get(dir)!;
    if (!WRITABLE.has(name)) fail("EACCES", "open", path);
    if (name === "cgroup.procs") {
      this.exit(Number(data));
      cg.procs.push(Number(data));
    } else if (name === "cgroup.subtree_control") {
      for (const word of data.trim().split(/\s+/)) {
        const controller = word.slice(1);
        if (!this.controllers(dir).includes(controller)) fail("ENOENT", "write", path);
        if (word.startsWith("+") && dir !== this.root && cg.procs.length > 0) fail("EBUSY", "write", path);
        cg.subtree = word.startsWith("+") ? [...new Set([...cg.subtree, controller])] : cg.subtree.filter((c) => c !== controller);
      }
    } else {
      cg.values.set(name, data.trim());
    }
  }

  rmdir(path: string): void {
    const cg = this.cgroups.get(path);
    if (cg === undefined) fail("ENOENT", "rmdir", path);
    if (path === this.root || cg.procs.length > 0 || [...this.cgroups.keys()].some((p) => dirname(p) === path && p !== path)) fail("EBUSY", "rmdir", path);
    this.cgroups.delete(path);
  }

  private controllers(dir: string): string[] {
    return dir === this.root ? [...this.rootControllers] : [...this.cgroups.get(dirname(dir))!.subtree];
  }

  /** The files of a cgroup: the core ones, and those of the controllers its parent enables. */
  private files(dir: string): string[] {
    if (!this.cgroups.has(dir)) return [];
    if (dir === this.root) return [...CORE];
    const enabled = this.controllers(dir);
    const swap = this.swapAccounting && enabled.includes("memory") ? ["memory.swap.max"] : [];
    return [...CORE, ...enabled.flatMap((c) => CONTROLLER_FILES[c] ?? []), ...swap];
  }

  /** An existing file of a cgroup; a missing one fails ENOENT, or EACCES for a write (open with O_CREAT: cgroupfs cannot create it). */
  private file(path: string, forWrite: boolean): [string, string] {
    const dir = dirname(path);
    const name = path.slice(dir.length + 1);
    if (!this.cgroups.has(dir)) fail("ENOENT", "open", path);
    if (!this.files(dir).includes(name)) fail(forWrite ? "EACCES" : "ENOENT", "open", path);
    return [dir, name];
  }
}

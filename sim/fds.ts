// Per-process file descriptor tables and open-file reference counting.
//
// An fd refers to an open file; a file is released only when its last reference goes:
// any fd in any process, or an in-flight SCM_RIGHTS copy inside a queued datagram.

export interface OpenFile {
  readonly kind: "null" | "socket" | "pipe";
  /** Takes one more reference (an fd or an in-flight copy). */
  retain(): void;
  /** Drops one reference; the file is destroyed when none remain. */
  release(): void;
}

/** /dev/null: shared by everyone and never destroyed. */
export const NULL_FILE: OpenFile = {
  kind: "null",
  retain: () => {},
  release: () => {},
};

export interface FdEntry {
  readonly file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  /** Indexed by fd; an empty slot is a closed fd. Fds are small and dense, so an array beats a Map. */
  private readonly slots: (FdEntry | undefined)[] = [];

  /** The fd table every simulated process starts with: 0, 1, 2 on /dev/null. */
  static withStdio(): FdTable {
    const table = new FdTable();
    for (let i = 0; i < 3; i++) table.install(NULL_FILE, false);
    return table;
  }

  /** Installs `file` at the lowest free fd, taking a new reference to it. */
  install(file: OpenFile, cloexec: boolean): number {
    let fd = 0;
    while (fd < this.slots.length && this.slots[fd] !== undefined) fd++;
    file.retain();
    this.slots[fd] = { file, cloexec };
    return fd;
  }

  get(fd: number): FdEntry | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
  }

  /** How many of this table's fds refer to `file`. */
  countOf(file: OpenFile): number {
    let n = 0;
    for (const entry of this.slots) if (entry !== undefined && entry.file === file) n++;
    return n;
  }

  /** close(fd): false when fd was not open. */
  close(fd: number): boolean {
    const file = this.detach(fd);
    file?.release();
    return file !== undefined;
  }

  /** Frees fd and hands back its file with the fd's reference still to drop (undefined: not open). */
  detach(fd: number): OpenFile | undefined {
    const entry = this.get(fd);
    if (entry === undefined) return undefined;
    this.slots[fd] = undefined;
    while (this.slots.length > 0 && this.slots[this.slots.length - 1] === undefined) this.slots.pop();
    return entry.file;
  }

  closeAll(): void {
    for (const fd of this.fds()) this.close(fd);
  }

  /** Open fds in ascending order. */
  fds(): number[] {
    const open: number[] = [];
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd] !== undefined) open.push(fd);
    return open;
  }

  /** fork without CLONE_FILES: the same open files under the same numbers. */
  copy(): FdTable {
    const table = new FdTable();
    for (let fd = 0; fd < this.slots.length; fd++) {
      const entry = this.slots[fd];
      if (entry === undefined) continue;
      entry.file.retain();
      table.slots[fd] = { file: entry.file, cloexec: entry.cloexec };
    }
    return table;
  }
}

// Per-process file descriptor tables and open-file reference counting.
//
// An fd refers to an open file; a file is released only when its last reference goes:
// any fd in any process, or an in-flight SCM_RIGHTS copy inside a queued datagram.

export interface OpenFile {
  readonly kind: "null" | "socket";
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
  private readonly entries = new Map<number, FdEntry>();

  /** The fd table every simulated process starts with: 0, 1, 2 on /dev/null. */
  static withStdio(): FdTable {
    const table = new FdTable();
    for (let i = 0; i < 3; i++) table.install(NULL_FILE, false);
    return table;
  }

  /** Installs `file` at the lowest free fd, taking a new reference to it. */
  install(file: OpenFile, cloexec: boolean): number {
    let fd = 0;
    while (this.entries.has(fd)) fd++;
    file.retain();
    this.entries.set(fd, { file, cloexec });
    return fd;
  }

  get(fd: number): FdEntry | undefined {
    return Number.isInteger(fd) ? this.entries.get(fd) : undefined;
  }

  /** close(fd): false when fd was not open. */
  close(fd: number): boolean {
    const entry = this.get(fd);
    if (entry === undefined) return false;
    this.entries.delete(fd);
    entry.file.release();
    return true;
  }

  closeAll(): void {
    for (const fd of this.fds()) this.close(fd);
  }

  /** Open fds in ascending order. */
  fds(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  /** fork without CLONE_FILES: the same open files under the same numbers. */
  copy(): FdTable {
    const table = new FdTable();
    for (const fd of this.fds()) {
      const entry = this.entries.get(fd)!;
      entry.file.retain();
      table.entries.set(fd, { file: entry.file, cloexec: entry.cloexec });
    }
    return table;
  }
}

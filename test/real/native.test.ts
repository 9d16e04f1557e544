// The native addon on the real kernel: spawn into new namespaces, SEQPACKET ports with fds and
// credentials, the poll watcher, the shared counter and reexec. Every test leaves no child,
// zombie or fd behind.
import { chmodSync, existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import * as native from "../../real/native.ts";
import {
  SIGKILL,
  describeReal,
  expectNothingLeftBehind,
  nodeScript,
  openFds,
  runChild,
  waitExit,
  writeIdMaps,
} from "./native-helpers.ts";

const NAMESPACES = ["mnt", "cgroup", "uts", "ipc", "user", "pid", "net"] as const;
/** Root inside is the creator (root) outside, so the exec'd child keeps its capabilities;
 * 1000 inside is 101000 outside. */
const ID_MAP = [
  { inside: 0, outside: 0, count: 1 },
  { inside: 1000, outside: 101000, count: 1 },
];

/** Shared prelude of child scripts: `status(name)` reads a /proc/self/status field. */
const STATUS_FIELD = `
const fs = require("fs");
const status = (name) => fs.readFileSync("/proc/self/status", "utf8").match(new RegExp("^" + name + ":\\\\s*(.*)$", "m"))[1];
`;

/** Runs a throwaway node program (not through spawn) and returns what execa saw. */
function runNode(script: string) {
  const [file, ...args] = nodeScript(script);
  return execa(file!, args, { reject: false, timeout: 20_000 });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describeReal("native addon: spawn", () => {
  expectNothingLeftBehind();

  test("a node child in every new namespace, maps written before release: pid 1 inside, kept fds only, stdio, setresuid works", async () => {
    const [parentEnd, keptEnd] = native.socketpair();
    const [strayA, strayB] = native.socketpair();
    const parentFds = new Map(openFds().map((line) => line.split(" -> ") as [string, string]));
    const run = await runChild(
      nodeScript(`${STATUS_FIELD}
const fds = {};
for (const fd of fs.readdirSync("/proc/self/fd")) { try { fds[fd] = fs.readlinkSync("/proc/self/fd/" + fd); } catch {} }
const ns = {};
for (const name of ${JSON.stringify(NAMESPACES)}) ns[name] = fs.readlinkSync("/proc/self/ns/" + name);
fs.writeSync(${keptEnd}, "through the kept fd");
const capEff = status("CapEff");
addon.setgroups([]);
addon.setresgid(1000, 1000, 1000);
addon.setresuid(1000, 1000, 1000);
console.log(JSON.stringify({ pid: process.pid, nspid: status("NSpid"), capEff, uid: status("Uid"), gid: status("Gid"), fds, ns }));
console.error("to stderr");`),
      {
        cloneFlags: native.ALL_NAMESPACES,
        keepFds: [keptEnd],
        beforeRelease: (pid) => writeIdMaps(pid, ID_MAP, ID_MAP),
      },
    );
    expect(run.stderr).toBe("to stderr\n");
    expect(run.exit).toEqual({ how: "exited", status: 0 });
    const report = JSON.parse(run.stdout);

    expect(report.pid).toBe(1);
    expect(report.nspid.split(/\s+/)).toEqual([String(run.pid), "1"]);
    for (const name of NAMESPACES) expect(report.ns[name]).not.toBe(readlinkSync(`/proc/self/ns/${name}`));
    expect(report.capEff).not.toBe("0000000000000000");
    expect(report.uid.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);
    expect(report.gid.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);

    // The kept end is at the same number; nothing else of the parent's got through.
    expect(report.fds[String(keptEnd)]).toBe(parentFds.get(String(keptEnd)));
    for (const [fd, target] of Object.entries(report.fds as Record<string, string>)) {
      if (fd === String(keptEnd) || !/^(socket|pipe):/.test(target)) continue;
      expect([...parentFds.values()], `child fd ${fd} -> ${target}`).not.toContain(target);
    }
    expect(Object.values(report.fds)).not.toContain(parentFds.get(String(strayA)));

    // A plain write from the child carries its credentials (SO_PASSCRED): the host pid.
    const message = native.recvmsg(parentEnd, 100);
    expect(message?.data.toString()).toBe("through the kept fd");
    expect(message?.cred).toEqual({ pid: run.pid, uid: 0, gid: 0 }); // written before setresuid
    for (const fd of [parentEnd, keptEnd, strayA, strayB]) native.close(fd);
  });

  test("without maps before exec the child keeps no capability and setresuid fails (why holdUntilRelease exists)", async () => {
    const run = await runChild(
      nodeScript(`${STATUS_FIELD}
while (fs.readFileSync("/proc/self/uid_map", "utf8") === "" || fs.readFileSync("/proc/self/gid_map", "utf8") === "")
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
let error = "none";
try { addon.setresuid(1000, 1000, 1000); } catch (e) { error = e.code; }
console.log(JSON.stringify({ capEff: status("CapEff"), uid: status("Uid"), error }));`),
      {
        cloneFlags: native.CLONE.NEWUSER | native.CLONE.NEWPID,
        whileRunning: (pid) => writeIdMaps(pid, ID_MAP, ID_MAP),
      },
    );
    expect(run.exit).toEqual({ how: "exited", status: 0 });
    expect(JSON.parse(run.stdout)).toEqual({ capEff: "0000000000000000", uid: "0\t0\t0\t0", error: "EPERM" });
  });

  test("the pidfd reports the exit code, and a kill with its signal", async () => {
    const exited = await runChild(nodeScript("process.exit(7)"), { cloneFlags: native.CLONE.NEWPID });
    expect(exited.exit).toEqual({ how: "exited", status: 7 });

    const killed = await runChild(nodeScript("setInterval(() => {}, 1000)"), {
      cloneFlags: native.CLONE.NEWPID,
      whileRunning: (_pid, pidfd) => native.pidfdSendSignal(pidfd, SIGKILL),
    });
    expect(killed.exit).toEqual({ how: "killed", status: SIGKILL });
  });

  test("pidfdWait returns null while the child runs", async () => {
    const child = native.spawn({
      file: process.execPath,
      argv: nodeScript("setInterval(() => {}, 1000)"),
      envp: [],
      cloneFlags: 0,
      keepFds: [],
    });
    expect(native.pidfdWait(child.pidfd)).toBeNull();
    native.pidfdSendSignal(child.pidfd, SIGKILL);
    expect(await waitExit(child.pidfd)).toEqual({ how: "killed", status: SIGKILL });
  });

  test("an execve failure throws the child's errno, and the failed child is reaped", () => {
    const base = { envp: [], cloneFlags: native.CLONE.NEWPID, keepFds: [] };
    expect(() => native.spawn({ ...base, file: "/nonexistent/program", argv: ["x"] })).toThrow(
      expect.objectContaining({ code: "ENOENT", errno: 2, syscall: "execve" }),
    );
    const notExecutable = join(tmpdir(), `nxtsim-not-executable-${process.pid}`);
    writeFileSync(notExecutable, "#!/bin/sh\n");
    chmodSync(notExecutable, 0o644);
    try {
      expect(() => native.spawn({ ...base, file: notExecutable, argv: ["x"] })).toThrow(
        expect.objectContaining({ code: "EACCES", syscall: "execve" }),
      );
    } finally {
      rmSync(notExecutable);
    }
  });

  test("an execve failure after holdUntilRelease is thrown by release()", () => {
    const child = native.spawn({ file: "/nonexistent/program", argv: ["x"], envp: [], cloneFlags: 0, keepFds: [], holdUntilRelease: true });
    expect(child.syncFd).toBeGreaterThan(2);
    expect(() => native.release(child.syncFd)).toThrow(expect.objectContaining({ code: "ENOENT", syscall: "execve" }));
    return waitExit(child.pidfd).then((exit) => expect(exit).toEqual({ how: "exited", status: 127 }));
  });

  test("closing syncFd instead of release() makes the held child exit 127 without exec", async () => {
    const child = native.spawn({ file: "/bin/true", argv: ["true"], envp: [], cloneFlags: 0, keepFds: [], holdUntilRelease: true });
    native.close(child.syncFd);
    expect(await waitExit(child.pidfd)).toEqual({ how: "exited", status: 127 });
  });

  test("a keepFds entry that is not open is EBADF, and cloneFlags outside CLONE_NEW* are refused", () => {
    const [a, b] = native.socketpair();
    native.close(b); // b is now a closed number
    const base = { file: "/bin/true", argv: ["true"], envp: [], cloneFlags: 0 };
    expect(() => native.spawn({ ...base, keepFds: [b] })).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(() => native.spawn({ ...base, keepFds: [], cloneFlags: 0x100 /* CLONE_VM */ })).toThrow(TypeError);
    native.close(a);
  });

  test("pdeathsig: the child (pid 1 of its namespace) dies with its parent", async () => {
    const parent = await runNode(`
const child = addon.spawn({ file: process.execPath, argv: [process.execPath, "-e", "setInterval(() => {}, 1000)"],
  envp: [], cloneFlags: 0x20000000, keepFds: [], pdeathsig: 9 });
console.log(child.pid);`);
    expect(parent.exitCode).toBe(0);
    const orphan = Number(parent.stdout);
    let state = "";
    for (let i = 0; i < 200; i++) {
      state = existsSync(`/proc/${orphan}`) ? (readFileSync(`/proc/${orphan}/stat`, "utf8").split(") ")[1]?.[0] ?? "") : "gone";
      if (state === "gone" || state === "Z") break;
      await sleep(25);
    }
    expect(["gone", "Z"]).toContain(state);
  });
});

describeReal("native addon: SEQPACKET ports", () => {
  expectNothingLeftBehind();

  test("data and two passed fds arrive, the fds usable by the receiver, with the sender's credentials", () => {
    const [a, b] = native.socketpair();
    const [c, d] = native.socketpair();
    const counter = native.sharedCounterCreate(5);
    expect(native.sendmsg(a, Buffer.from("hello"), [c, counter])).toBe(5);
    const message = native.recvmsg(b, 64)!;
    expect(message.data.toString()).toBe("hello");
    expect(message.eof).toBe(false);
    expect(message.truncated).toBe(false);
    expect(message.cred).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    const [c2, counter2] = message.fds as [number, number];
    expect(message.fds).toHaveLength(2);
    expect(native.fdInode(c2)).toBe(native.fdInode(c));
    native.sendmsg(c2, Buffer.from("through the passed fd"), []);
    expect(native.recvmsg(d, 64)?.data.toString()).toBe("through the passed fd");
    expect(native.sharedFetchAdd(counter2, 1)).toBe(5);
    expect(native.sharedFetchAdd(counter, 0)).toBe(6);
    for (const fd of [a, b, c, d, c2, counter, counter2]) native.close(fd);
  });

  test("EAGAIN reads as null, a full socket throws EAGAIN, a short buffer flags truncation", () => {
    const [a, b] = native.socketpair();
    expect(native.recvmsg(b, 64)).toBeNull();
    native.sendmsg(a, Buffer.from("12345"), []);
    const short = native.recvmsg(b, 2)!;
    expect(short.data.toString()).toBe("12");
    expect(short.truncated).toBe(true);
    const chunk = Buffer.alloc(4096);
    let thrown: unknown;
    for (let i = 0; i < 100_000 && thrown === undefined; i++) {
      try {
        native.sendmsg(a, chunk, []);
      } catch (error) {
        thrown = error;
      }
    }
    expect(thrown).toMatchObject({ code: "EAGAIN", errno: 11, syscall: "sendmsg" });
    native.close(a);
    native.close(b);
  });

  test("a blocking send on a full socket waits until a child drains it", async () => {
    const [a, b] = native.socketpair();
    const chunk = Buffer.alloc(4096);
    let full = false;
    for (let i = 0; i < 100_000 && !full; i++) {
      try {
        native.sendmsg(a, chunk, []);
      } catch (error) {
        full = (error as { code?: string }).code === "EAGAIN";
      }
    }
    expect(full).toBe(true);
    const run = runChild(
      nodeScript(`
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
pause(100);
for (let i = 0; i < 100000; i++) {
  const message = addon.recvmsg(${b}, 8192);
  if (message === null) { pause(1); continue; }
  if (message.data.toString() === "last") { console.log("drained"); break; }
}`),
      { keepFds: [b] },
    );
    native.close(b); // only the child holds the reading end: if it dies, the send fails with EPIPE instead of hanging
    expect(native.sendmsg(a, Buffer.from("last"), [], { block: true })).toBe(4);
    expect((await run).stdout).toBe("drained\n");
    native.close(a);
  });

  test("a closed peer reads as eof, and sending to it throws EPIPE", () => {
    const [a, b] = native.socketpair();
    native.close(a);
    expect(native.recvmsg(b, 64)).toEqual({ data: Buffer.alloc(0), eof: true, fds: [], cred: null, truncated: false });
    expect(() => native.sendmsg(b, Buffer.from("x"), [])).toThrow(expect.objectContaining({ code: "EPIPE", errno: 32, syscall: "sendmsg" }));
    native.close(b);
  });

  test("credentials: none without the receiver's SO_PASSCRED, even explicit ones", () => {
    const [a, b] = native.socketpair();
    native.setPassCred(b, false);
    native.sendmsg(a, Buffer.from("plain"), []);
    native.sendmsg(a, Buffer.from("explicit"), [], { cred: true });
    expect(native.recvmsg(b, 64)?.cred).toBeNull();
    expect(native.recvmsg(b, 64)?.cred).toBeNull();
    native.setPassCred(b, true);
    native.sendmsg(a, Buffer.from("plain"), []);
    expect(native.recvmsg(b, 64)?.cred).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    native.close(a);
    native.close(b);
  });

  test("explicit credentials from a child in a new pid namespace: it claims pid 1, the receiver sees the host pid", async () => {
    const [parentEnd, childEnd] = native.socketpair();
    const run = await runChild(
      nodeScript(`addon.sendmsg(${childEnd}, Buffer.from("from pid " + process.pid), [], { cred: true, block: true });`),
      { cloneFlags: native.CLONE.NEWPID | native.CLONE.NEWNS | native.CLONE.NEWIPC, keepFds: [childEnd] },
    );
    expect(run.exit).toEqual({ how: "exited", status: 0 });
    const message = native.recvmsg(parentEnd, 64)!;
    expect(message.data.toString()).toBe("from pid 1");
    expect(message.cred).toEqual({ pid: run.pid, uid: 0, gid: 0 });
    native.close(parentEnd);
    native.close(childEnd);
  });

  test("bad arguments are TypeErrors; closing a closed fd is EBADF", () => {
    const [a, b] = native.socketpair();
    expect(() => native.sendmsg(a, Buffer.from("x"), [0, 1, 2, a, b])).toThrow(TypeError);
    expect(() => native.sendmsg(a, "x" as unknown as Buffer, [])).toThrow(TypeError);
    native.close(a);
    expect(() => native.close(a)).toThrow(expect.objectContaining({ code: "EBADF", errno: 9, syscall: "close" }));
    native.close(b);
  });
});

describeReal("native addon: watchReadable", () => {
  expectNothingLeftBehind();

  test("fires when readable, and stop() is idempotent", async () => {
    const [a, b] = native.socketpair();
    const received: string[] = [];
    let fired!: () => void;
    const firstMessage = new Promise<void>((resolve) => (fired = resolve));
    const watcher = native.watchReadable(b, () => {
      received.push(native.recvmsg(b, 64)!.data.toString());
      fired();
    });
    native.sendmsg(a, Buffer.from("one"), []);
    await firstMessage;
    watcher.stop();
    watcher.stop();
    native.sendmsg(a, Buffer.from("two"), []);
    await sleep(50);
    expect(received).toEqual(["one"]);
    expect(native.recvmsg(b, 64)?.data.toString()).toBe("two");
    native.close(a);
    native.close(b);
  });

  test("stop() after the fd was closed is harmless", () => {
    const [a, b] = native.socketpair();
    const watcher = native.watchReadable(b, () => {});
    native.close(b);
    watcher.stop();
    watcher.stop();
    native.close(a);
  });

  test("a pidfd becomes readable when the child exits", async () => {
    const child = native.spawn({ file: "/bin/true", argv: ["true"], envp: [], cloneFlags: native.CLONE.NEWPID, keepFds: [] });
    expect(await waitExit(child.pidfd)).toEqual({ how: "exited", status: 0 });
  });

  test("exceptions from the callback and from its nextTick reach uncaughtException", async () => {
    const result = await runNode(`
const [a, b] = addon.socketpair();
const seen = [];
let calls = 0;
const watcher = addon.watchReadable(b, () => {
  addon.recvmsg(b, 16);
  calls++;
  if (calls === 1) throw new Error("thrown in onReadable");
  process.nextTick(() => { throw new Error("thrown in a nextTick"); });
});
process.on("uncaughtException", (error) => {
  seen.push(error.message);
  if (seen.length === 1) addon.sendmsg(a, Buffer.from("2"), []);
  else { watcher.stop(); addon.close(a); addon.close(b); console.log(JSON.stringify(seen)); }
});
addon.sendmsg(a, Buffer.from("1"), []);`);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(["thrown in onReadable", "thrown in a nextTick"]);
  });

  test("without a handler, an exception from the callback crashes the process instead of hanging it", async () => {
    const result = await runNode(`
const [a, b] = addon.socketpair();
addon.watchReadable(b, () => { throw new Error("nobody catches this"); });
addon.sendmsg(a, Buffer.from("1"), []);`);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("nobody catches this");
  });
});

describeReal("native addon: shared counter and reexec", () => {
  expectNothingLeftBehind();

  test("parent and a spawned child add to one counter and both see the sum", async () => {
    const counter = native.sharedCounterCreate(10);
    const adds = 20_000;
    const total = 10 + 2 * adds;
    const child = runChild(
      nodeScript(`
for (let i = 0; i < ${adds}; i++) addon.sharedFetchAdd(${counter}, 1);
let seen = addon.sharedFetchAdd(${counter}, 0);
for (let i = 0; seen !== ${total} && i < 10000; i++) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  seen = addon.sharedFetchAdd(${counter}, 0);
}
console.log(seen);`),
      { cloneFlags: native.CLONE.NEWPID, keepFds: [counter] },
    );
    for (let i = 0; i < adds; i++) native.sharedFetchAdd(counter, 1);
    const run = await child;
    expect(run.exit).toEqual({ how: "exited", status: 0 });
    expect(Number(run.stdout)).toBe(total);
    expect(native.sharedFetchAdd(counter, 0)).toBe(total);
    native.close(counter);
  });

  test("the mapping follows the file, not the fd number", () => {
    const first = native.sharedCounterCreate(100);
    native.sharedFetchAdd(first, 1);
    native.close(first);
    const second = native.sharedCounterCreate(7);
    expect(second).toBe(first); // same number, new file
    expect(native.sharedFetchAdd(second, 1)).toBe(7);
    native.close(second);
  });

  test("reexec keeps the kept fds (and only those) and throws when execve fails", async () => {
    const result = await runNode(`
const fs = require("fs");
const counterFds = () => fs.readdirSync("/proc/self/fd").filter((fd) => {
  try { return fs.readlinkSync("/proc/self/fd/" + fd).startsWith("/memfd:nxtsim-counter"); } catch { return false; }
}).map(Number);
if (process.argv[1] !== "again") {
  const kept = addon.sharedCounterCreate(41);
  addon.sharedCounterCreate(0); // not kept: must be gone after exec
  let failure;
  try { addon.reexec("/nonexistent/node", ["x"], [], [kept]); } catch (e) { failure = e.code + " " + e.syscall; }
  addon.reexec(process.execPath, [process.execPath, ...process.execArgv, "again", String(kept), failure], [], [kept]);
} else {
  const kept = Number(process.argv[2]);
  console.log(JSON.stringify({ counters: counterFds(), kept, value: addon.sharedFetchAdd(kept, 1), failure: process.argv[3] }));
}`);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.counters).toEqual([report.kept]);
    expect(report.value).toBe(41);
    expect(report.failure).toBe("ENOENT execve");
  });
});

// C-level hazards are trace events that kill the simulated process (SIGABRT), never JS
// exceptions out of the simulator: a NULL handler slot, a double unlink, a use after
// release, and a silently failed hash insert whose record is then freed (#633).

import { describe, expect, it } from "vitest";
import { proc, type Ctx } from "../../lifecycle/context.ts";
import { unitdImage } from "../../lifecycle/boot.ts";
import { ProcessGone, type Kernel, type ModelEvent } from "../../lifecycle/kernel.ts";
import { RAW } from "../../lifecycle/port-messages.ts";
import { portHandler, portNew } from "../../lifecycle/port.ts";
import { processNew } from "../../lifecycle/process.ts";
import { queueRemove, runtimeProcessRelease } from "../../lifecycle/runtime.ts";
import { DEFAULT_USER_DB } from "../../lifecycle/credential.ts";
import { now } from "../sim/toy.ts";
import { derived, run } from "./helpers.ts";

/** A kernel whose only working calls are abort and trace: enough for these unit checks. */
function abortingCtx(): { ctx: Ctx; events: ModelEvent[] } {
  const events: ModelEvent[] = [];
  const k = new Proxy({} as Kernel, {
    get(_t, name) {
      if (name === "abort") {
        return (reason: string) => {
          throw new ProcessGone("abort", reason);
        };
      }
      if (name === "trace") return (e: ModelEvent) => events.push(e);
      return () => {
        throw new Error(`unexpected kernel call ${String(name)}`);
      };
    },
  });
  const s = unitdImage({
    options: { fixes: [], mutants: [], upstream: [], havePrSetNoNewPrivs: false, users: DEFAULT_USER_DB, modules: [] },
    user: "nobody",
    group: null,
    capabilities: { setid: true, chroot: true },
    conf: null,
  });
  return { ctx: { s, k }, events };
}

function abortReason(body: () => void): string {
  try {
    body();
  } catch (e) {
    if (e instanceof ProcessGone) return e.detail;
    throw e;
  }
  return "did not abort";
}

describe("hazards abort the process with a reason", () => {
  it("a message type whose handler slot is empty is a NULL call", () => {
    const { ctx } = abortingCtx();
    const p = portNew(ctx, 0, 1, 4);
    p.handlers = "processWhoamiPortHandlers";
    const reason = abortReason(() =>
      now(portHandler(ctx, p, {
        port: p.oid,
        msg: { type: RAW.REMOVE_PID, last: true, stream: 0, pid: 100, replyPort: 0, body: 105 },
        fd: [-1, -1],
        cmsgPid: 100,
        newPort: null,
        removedPid: 0,
      })),
    );
    expect(reason).toMatch(/NULL port handler: REMOVE_PID/);
  });

  it("a queue link removed twice", () => {
    const { ctx } = abortingCtx();
    const parent = processNew(ctx);
    const child = processNew(ctx);
    parent.children.push(child.oid);
    queueRemove(ctx, parent.oid, child.oid);
    expect(abortReason(() => queueRemove(ctx, parent.oid, child.oid))).toMatch(/removed twice/);
  });

  it("a record used after its release", () => {
    const { ctx } = abortingCtx();
    const record = processNew(ctx);
    record.useCount = 0;
    runtimeProcessRelease(ctx, record);
    expect(abortReason(() => proc(ctx, record.oid))).toMatch(/use after release/);
  });

  it("an unknown message type is an alert, not a crash", () => {
    const { ctx, events } = abortingCtx();
    const p = portNew(ctx, 0, 1, 0);
    p.handlers = "mainProcessPortHandlers";
    now(portHandler(ctx, p, {
      port: p.oid,
      msg: { type: 77, last: true, stream: 0, pid: 100, replyPort: 0, body: null },
      fd: [-1, -1],
      cmsgPid: 100,
      newPort: null,
      removedPid: 0,
    }));
    expect(events).toContainEqual({ what: "alert", text: "port 1:0: unknown message type:77" });
  });
});

describe("#633: isolated pids that reach a host pid in the prototype's table", () => {
  // unitd's main gets host pid 2, so the first app's namespace pid 2 clashes in the
  // prototype's table: the insert fails silently and the record is freed while in use.
  const clash = derived("one-app-isolated", (json) => {
    (json["unitd"] as Record<string, unknown>)["firstPid"] = 2;
  });

  it.each([1, 2, 3, 4, 5])("crashes the prototype at c8d9106a (seed %i), and the simulator goes on", (seed) => {
    const r = run(clash, { seed });
    const crashes = r.sim.trace.filter((e) => e.kind === "crash");
    expect(crashes.map((e) => e.ptype)).toEqual(["prototype"]);
    expect(crashes[0]!.kind === "crash" && crashes[0]!.reason).toMatch(/cleanup: pair\[1\] == -1/);
    expect(r.result.reason).toBe("quiescent");
    const proto = r.sim.processes().find((p) => p.ptype === "prototype")!;
    // The prototype is pid 1 of its namespace: its own SIGABRT cannot kill it, and glibc's
    // abort() falls back to an instruction that dies of SIGSEGV (as on the real kernel).
    expect(proto.exit).toEqual({ status: null, signal: 11 });
  });

  it.each([1, 2, 3, 4, 5])("passes with the upstream fix 900828cc (seed %i)", (seed) => {
    const r = run(clash, { seed, fixes: ["633"] });
    expect(r.sim.trace.filter((e) => e.kind === "crash")).toEqual([]);
    expect(r.sim.processes().filter((p) => p.ptype === "app" && p.status === "running")).toHaveLength(2);
  });
});

// Handshake ordering per child (reference section 4).

import type { HandshakeStep } from "../../lifecycle/kernel.ts";
import type { Check, KernelFacts, RunView, Violation } from "../check.ts";
import { indexTrace } from "../trace-index.ts";
import { UNIT_NO_NEW_PRIVS_BY_DEFAULT } from "../unit-rules.ts";

const NAME = "handshake-order";

function first(steps: { step: HandshakeStep; index: number }[], s: HandshakeStep): number {
  return steps.find((x) => x.step === s)?.index ?? -1;
}

function mainFacts(run: RunView): KernelFacts | undefined {
  return run.facts.find((f) => f.ptype === "main");
}

export const handshakeOrder: Check = {
  name: NAME,
  claim:
    "WHOAMI iff pid-isolated or parent is not main, before CREATED; CREATED acknowledged before credentials; READY at most once, after CREATED; start after READY (apps: libunit sends READY from start)",
  check: (run) => {
    const index = indexTrace(run.trace);
    const main = mainFacts(run);
    const out: Violation[] = [];
    const bad = (pid: number, what: string, at: number) =>
      out.push({ check: NAME, reason: `${index.typeOf.get(pid)} ${pid}: ${what}`, step: run.trace[at]?.step ?? -1 });
    for (const [pid, steps] of index.handshakes) {
      const type = index.typeOf.get(pid);
      const facts = run.facts.find((f) => f.pid === pid);
      if (type === undefined || type === "main" || facts === undefined) continue;
      const whoami = first(steps, "whoami-sent");
      const created = first(steps, "created-sent");
      const createdOk = first(steps, "created-ok");
      const creds = first(steps, "creds-applied");
      const readies = steps.filter((s) => s.step === "ready-sent");
      const ready = readies[0]?.index ?? -1;
      const start = first(steps, "start");
      const pidIsolated = main !== undefined && facts.ns.pid !== main.ns.pid;
      const needsWhoami = pidIsolated || type === "app";
      const fixup = first(steps, "child-fixup");
      // A missing WHOAMI shows once the child goes on without it (CREATED, READY or start):
      // one killed between its fixup and its WHOAMI broke no rule, and a run cut there may
      // still send it (the check stays prefix-closed for the exhaustive search).
      const wentOn = [created, ready, start].filter((i) => i >= 0);
      if (needsWhoami && whoami < 0 && wentOn.length > 0) bad(pid, "no WHOAMI although required", Math.min(...wentOn));
      if (fixup >= 0 && !needsWhoami && whoami >= 0) bad(pid, "WHOAMI although not required", fixup);
      if (whoami >= 0 && created >= 0 && created < whoami) bad(pid, "CREATED before WHOAMI", created);
      if (createdOk >= 0 && creds >= 0 && creds < createdOk) bad(pid, "credentials before CREATED was acknowledged", creds);
      if (readies.length > 1) bad(pid, `READY sent ${readies.length} times`, readies[1]!.index);
      if (ready >= 0 && created >= 0 && (createdOk < 0 || ready < createdOk)) bad(pid, "READY before CREATED was acknowledged", ready);
      if (type !== "app" && start >= 0 && (ready < 0 || start < ready)) bad(pid, "start before READY was sent", start);
      // From c18dd1f6 (1.35) a prototype sets it only when its app says "new_privs": false: not checked
      // for prototypes there (the configuration is not in the run's view); the core processes still must.
      const nnpRequired = type !== "prototype" || UNIT_NO_NEW_PRIVS_BY_DEFAULT[run.unit ?? "c8d9106a"];
      if (run.havePrSetNoNewPrivs && nnpRequired && start >= 0 && type !== "app") {
        const nnp = first(steps, "no-new-privs");
        if (nnp < 0 || nnp > start) bad(pid, "start without no_new_privs set first", start);
      }
    }
    return out;
  },
};

export const mapsBeforeCredentials: Check = {
  name: "maps-before-credentials",
  claim: "for a child in a new user namespace, main writes uid_map, setgroups, gid_map in that order before the child's first setgid/setuid/setgroups",
  check: (run) => {
    const main = mainFacts(run);
    if (main === undefined) return [];
    const out: Violation[] = [];
    // main names the child by its pid in main's own pid namespace (the host's in the sim).
    const mainLevel = main.nspids.length - 1;
    for (const child of run.facts) {
      if (child.ns.user === main.ns.user) continue;
      const asMainSeesIt = child.nspids[mainLevel];
      const writes = run.trace.flatMap((e, i) =>
        e.kind === "syscall" && e.call === "writeProcFile" && e.pid === main.pid && (e.args as { pid: number }).pid === asMainSeesIt && e.ret === null
          ? [{ i, file: (e.args as { file: string }).file }]
          : [],
      );
      const setid = run.trace.findIndex(
        (e) => e.kind === "syscall" && e.pid === child.pid && (e.call === "setgid" || e.call === "setuid" || e.call === "setgroups"),
      );
      if (setid < 0) continue;
      const order = writes.filter((w) => w.i < setid).map((w) => w.file).join(",");
      if (order !== "uid_map,setgroups,gid_map") {
        out.push({
          check: "maps-before-credentials",
          reason: `${child.ptype} ${child.pid} set ids after map writes [${order}]`,
          step: run.trace[setid]!.step,
        });
      }
    }
    return out;
  },
};

// forkImage, the model's own copy of a process's state at clone(): at every clone of runs of
// every shipped scenario, with faults, with no switch and with every fix, the copy equals
// the state (own keys in the same order, the same values, holes and undefined kept) and
// shares nothing that is not frozen. A field the copier forgot, or a record built in another
// key order, fails here.

import { describe, expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { unitdImageFor } from "../../harness/model-options.ts";
import { forkImage } from "../../lifecycle/fork-image.ts";
import { lifecycleProgram, UNITD_ENTRY } from "../../lifecycle/index.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { KNOWN_FIXES } from "../../lifecycle/options.ts";
import type { Program } from "../../lifecycle/program.ts";
import type { PortRec, UnitGlobals } from "../../lifecycle/state.ts";
import { Sim } from "../../sim/index.ts";

/** Where `copy` differs from `original` (null when equal), or shares an unfrozen object with it. */
function difference(original: unknown, copy: unknown, path: string): string | null {
  if (typeof original !== "object" || original === null) {
    return Object.is(original, copy) ? null : `${path}: ${String(copy)} instead of ${String(original)}`;
  }
  if (typeof copy !== "object" || copy === null) return `${path}: not an object in the copy`;
  if (copy === original && !Object.isFrozen(original)) return `${path}: shared, not copied`;
  if (Array.isArray(original) !== Array.isArray(copy)) return `${path}: array in one only`;
  const keysA = Reflect.ownKeys(original);
  const keysB = Reflect.ownKeys(copy);
  if (keysA.join() !== keysB.join()) return `${path}: keys [${keysB.join()}] instead of [${keysA.join()}]`;
  for (const key of keysA) {
    if (key === "length" && Array.isArray(original)) continue;
    const d = difference((original as Record<PropertyKey, unknown>)[key], (copy as Record<PropertyKey, unknown>)[key], `${path}.${String(key)}`);
    if (d !== null) return d;
  }
  return null;
}

describe("forkImage", () => {
  it("copies the state exactly at every clone of every shipped scenario, with and without every fix", () => {
    const differences: string[] = [];
    let clones = 0;
    const checking: Program = {
      run: (p, work) => lifecycleProgram.run(p, work),
      copyImage(image: Json): Json {
        clones++;
        const copy = forkImage(image as unknown as UnitGlobals);
        const d = difference(image, copy, "state");
        if (d !== null) differences.push(d);
        return copy as unknown as Json;
      },
    };
    for (const scenario of listScenarios()) {
      for (const fixes of [[], [...KNOWN_FIXES]]) {
        for (let seed = 0; seed < 12; seed++) {
          const sim = new Sim(checking, {
            seed,
            firstPid: scenario.unitd.firstPid,
            faults: seed % 3 === 0 ? {} : { sendFail: 0.02, sendLost: 0.02, killAtStep: 0.003 },
          });
          sim.spawn(unitdImageFor(scenario, { fixes }), UNITD_ENTRY, { uid: scenario.unitd.euid, gid: scenario.unitd.egid });
          sim.run();
        }
      }
    }
    expect(clones).toBeGreaterThan(500);
    expect(differences.slice(0, 5)).toEqual([]);
  });

  it("copies what boot runs seldom hold at a clone: optional fields, queued messages, RPCs, every role's globals", () => {
    const state = structuredClone(stateAfterBoot());
    const ports = Object.values(state.heap.objs).filter((o) => o.kind === "port");
    expect(ports.length).toBeGreaterThan(1);
    const [p, q] = ports as [PortRec, PortRec];
    p.queued.push({ msg: { type: 3, last: true, stream: 7, pid: 100, replyPort: 0, body: { a: [1, { b: null }] } }, fds: [5, 6], closeFds: true });
    p.rpcRegs["7"] = { stream: 7, ready: "r", error: "e", peer: 101, data: { x: [1, 2] } };
    p.rpcPeers["101"] = [7];
    p.closeWhenSent = true;
    p.inheritedQueue = false;
    q.inheritedQueue = true;
    state.controller = { routerReady: true, conf: { listeners: {} }, greeter: 103 };
    state.router = {
      apps: {
        "a#1": {
          id: "a#1",
          name: "a",
          conf: { type: "python" },
          maxProcesses: 3,
          spareProcesses: 1,
          maxPendingProcesses: 1,
          idleTimeout: 2000,
          protoPort: p.oid,
          sharedPair: [7, 8],
          pending: 1,
          ports: [p.oid, q.oid],
          removed: false,
          idleProcesses: 1,
          sparePorts: [p.oid],
          idlePorts: [],
          idleStart: { [q.oid]: 5 },
          activeRequests: 1,
          portRequests: { [q.oid]: 1 },
          ackWaitingReq: [100],
          adjustIdleQueued: true,
          idleTimer: 4,
          quitPorts: [q.oid],
        },
      },
      current: { a: "a#1" },
      made: 1,
    };
    state.proto = { exiting: false, pids: { "2": 9 }, children: [9, 11] };
    state.unit = { ports: { "100:0": 4 }, readFd: 3 };
    state.main!.cgroupsKept = ["unit/a"];
    const copy = forkImage(state);
    expect(difference(state, copy, "state")).toBeNull();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(state));
  });

  it("copies every message exactly (Program.copyMessage) at every send and receive of every shipped scenario, with and without every fix", () => {
    const differences: string[] = [];
    let messages = 0;
    const checking: Program = {
      run: (p, work) => lifecycleProgram.run(p, work),
      copyImage: (image) => lifecycleProgram.copyImage!(image),
      copyMessage(data: Json): Json {
        messages++;
        const copy = lifecycleProgram.copyMessage!(data);
        const d = difference(data, copy, "message");
        if (d !== null) differences.push(d);
        return copy;
      },
    };
    for (const scenario of listScenarios()) {
      for (const fixes of [[], [...KNOWN_FIXES]]) {
        for (let seed = 0; seed < 6; seed++) {
          const sim = new Sim(checking, { seed, firstPid: scenario.unitd.firstPid, faults: seed % 3 === 0 ? {} : { sendFail: 0.02, sendLost: 0.02 } });
          sim.spawn(unitdImageFor(scenario, { fixes }), UNITD_ENTRY, { uid: scenario.unitd.euid, gid: scenario.unitd.egid });
          sim.run();
        }
      }
    }
    expect(messages).toBeGreaterThan(2000);
    expect(differences.slice(0, 5)).toEqual([]);
  });

  it("a message copier that forgets a field or shares the body is caught", () => {
    const msg = { type: 3, last: true, stream: 7, pid: 100, replyPort: 0, body: { a: [1, { b: null }] }, extra: 1 };
    expect(difference(msg, lifecycleProgram.copyMessage!(msg as unknown as Json), "message")).toMatch(/keys/);
    const { extra: _, ...portMsg } = msg;
    expect(difference(portMsg, lifecycleProgram.copyMessage!(portMsg as unknown as Json), "message")).toBeNull();
    expect(difference(portMsg, { ...portMsg }, "message")).toMatch(/message\.body: shared/);
  });

  it("a mutant copier that forgets a field is caught", () => {
    const state = { ...structuredClone(stateAfterBoot()) } as UnitGlobals;
    const copy = forkImage(state) as Partial<UnitGlobals>;
    delete copy.portNextId;
    expect(difference(state, copy, "state")).toMatch(/keys/);
    const shallow = { ...forkImage(state), rt: state.rt };
    expect(difference(state, shallow, "state")).toMatch(/state\.rt: shared/);
  });
});

function stateAfterBoot(): UnitGlobals {
  const sim = new Sim(lifecycleProgram, { seed: 1, maxSteps: 200 });
  const pid = sim.spawn(unitdImageFor(listScenarios()[0]!), UNITD_ENTRY, { uid: 0, gid: 0 });
  sim.run();
  return sim.stateOf(pid) as unknown as UnitGlobals;
}

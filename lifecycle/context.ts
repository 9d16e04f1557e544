// What every model function receives: the process's plain-data globals and its kernel.
// Also the C-level hazards: an nxt_assert failure or a use of freed memory aborts the
// process through the kernel (SIGABRT), it never throws into the simulator.

import type { Kernel } from "./kernel.ts";
import type { HeapObject, Oid, PortRec, ProcessRec, UnitGlobals } from "./state.ts";

export interface Ctx {
  readonly s: UnitGlobals;
  readonly k: Kernel;
}

/** nxt_assert: active as in Unit's debug builds. */
export function nxtAssert(ctx: Ctx, condition: boolean, what: string): asserts condition {
  if (!condition) {
    ctx.k.abort(`assertion failed: ${what}`);
  }
}

export function alert(ctx: Ctx, text: string): void {
  ctx.k.trace({ what: "alert", text });
}

export function log(ctx: Ctx, text: string): void {
  ctx.k.trace({ what: "log", text });
}

/** nxt_mp_alloc of a record: returns its address. */
export function heapAlloc<T extends HeapObject>(ctx: Ctx, make: (oid: Oid) => T): T {
  const heap = ctx.s.heap;
  const oid = heap.next++;
  const obj = make(oid);
  heap.objs[oid] = obj;
  return obj;
}

export function heapFree(ctx: Ctx, oid: Oid): void {
  if (ctx.s.heap.objs[oid] === undefined) {
    ctx.k.abort(`double free of object #${oid}`);
  }
  delete ctx.s.heap.objs[oid];
}

export function isLive(ctx: Ctx, oid: Oid): boolean {
  return ctx.s.heap.objs[oid] !== undefined;
}

export function proc(ctx: Ctx, oid: Oid): ProcessRec {
  const obj = ctx.s.heap.objs[oid];
  if (obj === undefined) {
    ctx.k.abort(`use after release: process record #${oid}`);
  }
  if (obj.kind !== "process") {
    ctx.k.abort(`object #${oid} is a ${obj.kind}, not a process record`);
  }
  return obj;
}

export function port(ctx: Ctx, oid: Oid): PortRec {
  const obj = ctx.s.heap.objs[oid];
  if (obj === undefined) {
    ctx.k.abort(`use after release: port #${oid}`);
  }
  if (obj.kind !== "port") {
    ctx.k.abort(`object #${oid} is a ${obj.kind}, not a port`);
  }
  return obj;
}

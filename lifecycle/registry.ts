// Behaviour by name. Process state holds only names (continuations, handler tables, RPC
// handlers, descriptor hooks); this module resolves them to the model's functions.
// Every exported function of the modules below is callable by its own name.

import type { Ctx } from "./context.ts";
import type { Json, Sys } from "./kernel.ts";
import type { MsgTypeName } from "./port-messages.ts";
import type { RecvMsg } from "./port.ts";
import type { NxtInt } from "./process.ts";
import type { Oid, ProcessRec } from "./state.ts";
import * as app from "./app.ts";
import * as boot from "./boot.ts";
import * as controller from "./controller.ts";
import * as credential from "./credential.ts";
import * as discovery from "./discovery.ts";
import * as mainProcess from "./main-process.ts";
import * as mainProcessPorts from "./main-process-ports.ts";
import * as mainProcessSignalHandlers from "./main-process-signals.ts";
import * as port from "./port.ts";
import * as portRpc from "./port-rpc.ts";
import * as portSocket from "./port-socket.ts";
import * as processMod from "./process.ts";
import * as processHandshake from "./process-handshake.ts";
import * as processPidns from "./process-pidns.ts";
import * as prototype from "./prototype.ts";
import * as repairs from "./repairs.ts";
import * as repairsStarts from "./repairs-starts.ts";
import * as router from "./router.ts";
import * as routerAppProcesses from "./router-app-processes.ts";
import * as routerRequests from "./router-requests.ts";
import * as runtime from "./runtime.ts";
import * as signalHandlers from "./signal-handlers.ts";

export type HandlerTable = Partial<Record<MsgTypeName, string>>;

type AnyFn = (...args: never[]) => unknown;

const MODULES = [app, boot, controller, credential, discovery, mainProcess, mainProcessPorts, mainProcessSignalHandlers, port, portRpc, portSocket, processMod, processHandshake, processPidns, prototype, repairs, repairsStarts, router, routerAppProcesses, routerRequests, runtime, signalHandlers];

let named: Map<string, AnyFn> | null = null;
let tables: Map<string, HandlerTable> | null = null;

function build(): void {
  named = new Map();
  tables = new Map();
  for (const mod of MODULES) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === "function") {
        named.set(name, value as AnyFn);
      }
    }
    const modTables = (mod as { portHandlerTables?: Record<string, HandlerTable> }).portHandlerTables;
    for (const [name, table] of Object.entries(modTables ?? {})) {
      tables.set(name, table);
    }
  }
}

function lookup(name: string): AnyFn {
  if (named === null) build();
  const fn = named!.get(name);
  if (fn === undefined) {
    // A name the model itself wrote down but never defined: a bug of ours, not Unit's.
    throw new Error(`lifecycle registry: no function named "${name}"`);
  }
  return fn;
}

export function handlerTable(name: string): HandlerTable {
  if (tables === null) build();
  const table = tables!.get(name);
  if (table === undefined) {
    throw new Error(`lifecycle registry: no port handler table named "${name}"`);
  }
  return table;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/** A plain function's result as a Sys that yields nothing. */
function* returned<T>(value: T): Sys<T> {
  return value;
}

/**
 * Calls a named function with its arguments. Named functions are generators when they may
 * reach a scheduling point and plain functions otherwise; either way the caller runs the
 * result with yield*. A generator function's own generator is handed on (no extra level).
 */
function callNamed<T>(name: string, a: unknown, b?: unknown, c?: unknown): Sys<T> {
  const fn = lookup(name) as unknown as (a: unknown, b: unknown, c: unknown) => unknown;
  if (Object.getPrototypeOf(fn) === (GeneratorFunction as { prototype: unknown }).prototype) return fn(a, b, c) as Sys<T>;
  return returned(fn(a, b, c) as T);
}

/** A continuation: posted work, a signal handler, a read-readiness callback, a child entry. */
export function runNamed(ctx: Ctx, name: string, arg: Json | Oid | null): Sys<unknown> {
  return callNamed<unknown>(name, ctx, arg);
}

/** A port message handler of a handler table. */
export function callMessageHandler(name: string, ctx: Ctx, recv: RecvMsg): Sys<void> {
  return callNamed<void>(name, ctx, recv);
}

/** An RPC registration's ready or error handler. */
export function callRpcHandler(name: string, ctx: Ctx, recv: RecvMsg, data: Json): Sys<void> {
  return callNamed<void>(name, ctx, recv, data);
}

/** A process descriptor's prefork, setup or start hook. */
export function callProcessHook(name: string, ctx: Ctx, process: ProcessRec): Sys<NxtInt> {
  return callNamed<NxtInt>(name, ctx, process);
}

/** What a caller of nxt_process_start does in the child when it returned NXT_AGAIN. */
export function callCallerAgain(name: string, ctx: Ctx, process: Oid): Sys<void> {
  return callNamed<void>(name, ctx, process);
}

// Port message types with their raw codes at c8d9106a (position in nxt_port_handlers_t,
// src/nxt_port.h). The LAST flag travels separately in our header (`last`).
// Later Unit versions insert types (UPSTREAM_MSG_TYPES): the model names its messages by
// c8d9106a's codes and puts the version's codes on the wire (msgOnWire, msgOffWire).

import type { ModelOptions, UpstreamCommit } from "./options.ts";

export const MSG_TYPE_NAMES = [
  "RPC_READY",
  "RPC_ERROR",
  "START_PROCESS",
  "SOCKET",
  "MODULES",
  "CONF_STORE",
  "CERT_GET",
  "CERT_DELETE",
  "ACCESS_LOG",
  "CHANGE_FILE",
  "NEW_PORT",
  "GET_PORT",
  "PORT_ACK",
  "MMAP",
  "GET_MMAP",
  "PROCESS_CREATED",
  "PROCESS_READY",
  "WHOAMI",
  "REMOVE_PID",
  "QUIT",
  "REQ_HEADERS",
  "REQ_HEADERS_ACK",
  "REQ_BODY",
  "WEBSOCKET",
  "DATA",
  "APP_RESTART",
  "OOSM",
  "SHM_ACK",
  "READ_QUEUE",
  "READ_SOCKET",
] as const;

export type MsgTypeName = (typeof MSG_TYPE_NAMES)[number];

/** NXT_PORT_MSG_MAX: codes at or above it are "unknown message type". */
export const NXT_PORT_MSG_MAX = MSG_TYPE_NAMES.length;

export function msgTypeCode(name: MsgTypeName): number {
  return MSG_TYPE_NAMES.indexOf(name);
}

export function msgTypeName(code: number): string {
  return MSG_TYPE_NAMES[code] ?? `UNKNOWN(${code})`;
}

/** A message type with whether Unit sends it with the LAST flag (nxt_msg_last). */
export interface MsgKind {
  readonly code: number;
  readonly last: boolean;
}

const last = (name: MsgTypeName): MsgKind => ({ code: msgTypeCode(name), last: true });
const notLast = (name: MsgTypeName): MsgKind => ({ code: msgTypeCode(name), last: false });

export const NXT_PORT_MSG_RPC_READY = notLast("RPC_READY");
export const NXT_PORT_MSG_RPC_READY_LAST = last("RPC_READY");
export const NXT_PORT_MSG_RPC_ERROR = last("RPC_ERROR");
export const NXT_PORT_MSG_START_PROCESS = last("START_PROCESS");
export const NXT_PORT_MSG_MODULES = last("MODULES");
export const NXT_PORT_MSG_NEW_PORT = last("NEW_PORT");
export const NXT_PORT_MSG_PORT_ACK = last("PORT_ACK");
export const NXT_PORT_MSG_PROCESS_CREATED = last("PROCESS_CREATED");
export const NXT_PORT_MSG_PROCESS_READY = last("PROCESS_READY");
export const NXT_PORT_MSG_WHOAMI = last("WHOAMI");
export const NXT_PORT_MSG_REMOVE_PID = last("REMOVE_PID");
export const NXT_PORT_MSG_QUIT = last("QUIT");
export const NXT_PORT_MSG_DATA = notLast("DATA");
export const NXT_PORT_MSG_DATA_LAST = last("DATA");
export const NXT_PORT_MSG_APP_RESTART = last("APP_RESTART");
export const NXT_PORT_MSG_CHANGE_FILE = last("CHANGE_FILE");

export const RAW = {
  RPC_READY: msgTypeCode("RPC_READY"),
  RPC_ERROR: msgTypeCode("RPC_ERROR"),
  START_PROCESS: msgTypeCode("START_PROCESS"),
  MODULES: msgTypeCode("MODULES"),
  NEW_PORT: msgTypeCode("NEW_PORT"),
  PORT_ACK: msgTypeCode("PORT_ACK"),
  PROCESS_CREATED: msgTypeCode("PROCESS_CREATED"),
  PROCESS_READY: msgTypeCode("PROCESS_READY"),
  WHOAMI: msgTypeCode("WHOAMI"),
  REMOVE_PID: msgTypeCode("REMOVE_PID"),
  QUIT: msgTypeCode("QUIT"),
  DATA: msgTypeCode("DATA"),
  APP_RESTART: msgTypeCode("APP_RESTART"),
  CHANGE_FILE: msgTypeCode("CHANGE_FILE"),
} as const;

/** Port message types an upstream commit inserts into nxt_port_handlers_t, after a type. */
const UPSTREAM_MSG_TYPES: readonly { commit: UpstreamCommit; after: string; inserted: readonly string[] }[] = [
  { commit: "ce26dd72", after: "APP_RESTART", inserted: ["STATUS"] },
  { commit: "2e3e1c7e", after: "SOCKET", inserted: ["SOCKET_UNLINK"] },
  { commit: "a3c3a294", after: "CERT_DELETE", inserted: ["SCRIPT_GET", "SCRIPT_DELETE"] },
];

/** nxt_port_handlers_t's order (a type's raw code is its position) with the given upstream commits. */
export function msgTypeNamesWith(upstream: readonly UpstreamCommit[]): readonly string[] {
  const names: string[] = [...MSG_TYPE_NAMES];
  for (const u of UPSTREAM_MSG_TYPES) {
    if (upstream.includes(u.commit)) names.splice(names.indexOf(u.after) + 1, 0, ...u.inserted);
  }
  return names;
}

const tables = new Map<string, readonly string[]>();

function namesOf(options: Pick<ModelOptions, "upstream" | "mutants">): readonly string[] | null {
  // No upstream commit (most runs): nothing renumbered, and no closure made per message.
  if (options.upstream.length === 0) return null;
  if (!UPSTREAM_MSG_TYPES.some((u) => options.upstream.includes(u.commit))) return null;
  if (options.mutants.includes("msg-codes-not-renumbered")) return null;
  const key = options.upstream.join(",");
  let names = tables.get(key);
  if (names === undefined) tables.set(key, (names = msgTypeNamesWith(options.upstream)));
  return names;
}

/** The model's message as the version puts it on the wire: its type under the version's code. */
export function msgOnWire<M extends { type: number }>(options: Pick<ModelOptions, "upstream" | "mutants">, msg: M): M {
  const names = namesOf(options);
  if (names === null) return msg;
  const name = MSG_TYPE_NAMES[msg.type];
  return name === undefined ? msg : { ...msg, type: names.indexOf(name) };
}

/**
 * A message read off the wire, its type back under the model's (c8d9106a's) code. A code at
 * or past the version's NXT_PORT_MSG_MAX stays as it is (unknown to Unit, too); a type the
 * model does not send (STATUS, SOCKET_UNLINK, SCRIPT_*) is given a code past the model's table.
 */
export function msgOffWire<M extends { type: number }>(options: Pick<ModelOptions, "upstream" | "mutants">, msg: M): M {
  const names = namesOf(options);
  if (names === null) return msg;
  const name = names[msg.type];
  if (name === undefined) return msg;
  const code = MSG_TYPE_NAMES.indexOf(name as MsgTypeName);
  // Departure: Unit would call the port's handler for these (NULL in most tables); the model has none.
  return { ...msg, type: code >= 0 ? code : NXT_PORT_MSG_MAX + names.length + msg.type };
}

// Unit c8d9106a's rules (and where Unit 1.35 differs, 1.35's) as the properties state them, written out by hand from Unit's text and
// never taken from the model: a wrong table in lifecycle/ must fail the checks, not move them.
// test/properties/unit-rules.test.ts checks these against the seed of src/nxt_process.c and
// the reference; test/properties/oracle-independence.test.ts keeps lifecycle/ values out of
// the checks.

/** nxt_process_type_t (src/nxt_process_type.h): the matrices' row and column order. */
export const UNIT_PROCESS_TYPES = ["MAIN", "DISCOVERY", "CONTROLLER", "ROUTER", "PROTOTYPE", "APP"] as const;

/** A process type's number by the name the trace gives it (Unit's enum name in lower case). */
export const TYPE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(UNIT_PROCESS_TYPES.map((t, i) => [t.toLowerCase(), i]));

/** The trace's name of a process type number. */
export function typeName(type: number): string {
  return UNIT_PROCESS_TYPES[type]?.toLowerCase() ?? `type ${type}`;
}

export type UnitMatrix = readonly (readonly (0 | 1)[])[];

/** nxt_proc_keep_matrix[new child type][type of an entry in the parent's table] */
export const UNIT_KEEP_MATRIX: UnitMatrix = [
  [1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 0, 0, 1, 0, 0],
  [1, 0, 1, 1, 1, 1],
  [1, 0, 0, 1, 0, 0],
  [1, 0, 0, 1, 0, 0],
];

/** nxt_proc_send_matrix[type of the receiver's first port][type of the new port] */
export const UNIT_SEND_MATRIX: UnitMatrix = [
  [1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 0, 0, 1, 0, 0],
  [1, 0, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0],
];

/** nxt_proc_remove_notify_matrix[type of the dead process][type of the receiver's first port] */
export const UNIT_REMOVE_NOTIFY_MATRIX: UnitMatrix = [
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 1, 0, 0],
  [0, 0, 1, 0, 1, 1],
  [0, 0, 0, 1, 0, 0],
  [1, 0, 0, 1, 0, 0],
];

/** The three matrices by their C names in src/nxt_process.c. */
export const UNIT_MATRICES: Readonly<Record<"nxt_proc_keep_matrix" | "nxt_proc_send_matrix" | "nxt_proc_remove_notify_matrix", UnitMatrix>> = {
  nxt_proc_keep_matrix: UNIT_KEEP_MATRIX,
  nxt_proc_send_matrix: UNIT_SEND_MATRIX,
  nxt_proc_remove_notify_matrix: UNIT_REMOVE_NOTIFY_MATRIX,
};

/**
 * Port message types in the order of nxt_port_handlers_t (src/nxt_port.h): a type's raw code
 * (_NXT_PORT_MSG_<name>) is its position. Names as in the enum (websocket_frame is WEBSOCKET).
 */
export const UNIT_PORT_MSG_TYPES = [
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

export type PortMsgName = (typeof UNIT_PORT_MSG_TYPES)[number];

/** The raw code of a port message type (without the LAST flag). */
export function portMsgCode(name: PortMsgName): number {
  return UNIT_PORT_MSG_TYPES.indexOf(name);
}

/** The Unit versions whose rules this file states. */
export type UnitRulesVersion = "c8d9106a" | "1.35";

/**
 * nxt_port_handlers_t at Unit 1.35.0 (src/nxt_port.h): STATUS (ce26dd72), SOCKET_UNLINK
 * (2e3e1c7e), SCRIPT_GET and SCRIPT_DELETE (a3c3a294) came in since c8d9106a.
 */
export const UNIT_1_35_PORT_MSG_TYPES = [
  "RPC_READY",
  "RPC_ERROR",
  "START_PROCESS",
  "SOCKET",
  "SOCKET_UNLINK",
  "MODULES",
  "CONF_STORE",
  "CERT_GET",
  "CERT_DELETE",
  "SCRIPT_GET",
  "SCRIPT_DELETE",
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
  "STATUS",
  "OOSM",
  "SHM_ACK",
  "READ_QUEUE",
  "READ_SOCKET",
] as const;

export const UNIT_PORT_MSG_TYPES_BY_VERSION: Readonly<Record<UnitRulesVersion, readonly string[]>> = {
  c8d9106a: UNIT_PORT_MSG_TYPES,
  "1.35": UNIT_1_35_PORT_MSG_TYPES,
};

/**
 * Whether a build with NXT_HAVE_PR_SET_NO_NEW_PRIVS sets no_new_privs in the prototype of an app
 * that does not configure "new_privs": yes at c8d9106a (isolation.new_privs starts 0), no from
 * c18dd1f6 on (nxt_isolation_main_prefork sets it to 1 first). Discovery, the controller and the
 * router keep a zeroed isolation, so they set it in both.
 */
export const UNIT_NO_NEW_PRIVS_BY_DEFAULT: Readonly<Record<UnitRulesVersion, boolean>> = { c8d9106a: true, "1.35": false };

/**
 * A message code of `version` as c8d9106a's code of the same type, so that the checks state
 * their rules once, by c8d9106a's codes; a type c8d9106a does not have becomes 1000 + its code.
 */
export function c8d9106aCode(version: UnitRulesVersion, code: number): number {
  if (version === "c8d9106a") return code;
  const name = UNIT_PORT_MSG_TYPES_BY_VERSION[version][code];
  if (name === undefined) return code;
  const old = (UNIT_PORT_MSG_TYPES as readonly string[]).indexOf(name);
  return old >= 0 ? old : 1000 + code;
}

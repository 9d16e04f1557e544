// The controller's configuration validation (src/nxt_conf_validation.c at c8d9106a), as data:
// member tables (name, allowed JSON types, required/variable flags, an extra check) walked the
// way Unit walks them, giving Unit's error texts. "applications" is modelled in full; listeners,
// routes, upstreams and settings get their member tables and the simpler checks.
//
// The result adds `path` (slash-separated conf path of the offending value) to Unit's
// {error, detail} answer, so callers can say where the problem is.

import type { Json } from "./kernel.ts";
import { confVldtCgroupPath } from "./conf-validation-cgroup.ts";
import type { UpstreamCommit } from "./options.ts";

export interface ConfValidateOptions {
  /** NXT_HAVE_PR_SET_NO_NEW_PRIVS: "isolation.new_privs" exists only when true (false at c8d9106a). */
  havePrSetNoNewPrivs: boolean;
  /** Language modules found by discovery; the "external" module is always present (nxt_runtime.c). */
  modules: { type: string; version: string }[];
  /** Upstream commits beyond c8d9106a whose validation changes apply (eba7378d, 990fbe70, 9e986704). */
  upstream?: readonly UpstreamCommit[];
}

export type ConfValidateResult =
  | { ok: true }
  | { ok: false; error: string; detail: string; path: string };

type JsonObject = { [key: string]: Json };

/* Value type bits, in Unit's order (nxt_conf_vldt_type_t). */
const T_NULL = 1 << 0;
const T_BOOLEAN = 1 << 1;
const T_INTEGER = 1 << 2;
const T_NUMBER = (1 << 3) | T_INTEGER;
const T_STRING = 1 << 4;
const T_ARRAY = 1 << 5;
const T_OBJECT = 1 << 6;
const T_ANY = T_NULL | T_BOOLEAN | T_NUMBER | T_STRING | T_ARRAY | T_OBJECT;

const TYPE_NAMES = [
  "a null",
  "a boolean",
  "an integer number",
  "a fractional number",
  "a string",
  "an array",
  "an object",
] as const;

const INT32_MAX = 2147483647;
/** sysconf(_SC_THREAD_STACK_MIN) and the page size of an x86-64 glibc host. */
const THREAD_STACK_MIN = 16384;
const PAGE_SIZE = 4096;

interface VErr {
  detail: string;
  path: string[];
}

interface Vldt {
  conf: Json;
  opts: ConfValidateOptions;
}

type Validator = (v: Vldt, value: Json, path: string[]) => VErr | null;

interface Member {
  name: string;
  type: number;
  required?: boolean;
  /** NXT_CONF_VLDT_VAR: a string holding "$" is checked as a variable instead. */
  isVar?: boolean;
  validator?: Validator;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function get(obj: Json | undefined, name: string): Json | undefined {
  return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

/** nxt_conf_type as a bit index. JSON.parse cannot tell 1.0 from 1: both are integers here. */
function typeIndex(value: Json): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return 1;
  if (typeof value === "number") return Number.isInteger(value) ? 2 : 3;
  if (typeof value === "string") return 4;
  if (Array.isArray(value)) return 5;
  return 6;
}

function err(path: string[], detail: string): VErr {
  return { detail, path };
}

/** nxt_conf_vldt_type: "The "x" value must be either a, b, or c, but not d." */
function vldtType(name: string | null, value: Json, type: number, path: string[]): VErr | null {
  const t = typeIndex(value);
  if ((1 << t) & type) {
    return null;
  }
  const names: string[] = [];
  for (let i = 0; i < TYPE_NAMES.length; i++) {
    if ((1 << i) & type) names.push(TYPE_NAMES[i]!);
  }
  let expected = names.length > 1 ? "either " : "";
  const comma = names.length > 2;
  names.forEach((n, i) => {
    expected += n;
    const left = names.length - i - 1;
    if (left === 0) return;
    if (comma) expected += ",";
    if (left === 1) expected += " or";
    expected += " ";
  });
  if (name === null) {
    return err(path, `The configuration must be ${expected}, but not ${TYPE_NAMES[t]}.`);
  }
  return err(path, `The "${name}" value must be ${expected}, but not ${TYPE_NAMES[t]}.`);
}

/** nxt_conf_vldt_object: required members first, then every member in conf order. */
function vldtObject(v: Vldt, value: Json, members: readonly Member[], path: string[]): VErr | null {
  for (const m of members) {
    if (m.required && get(value, m.name) === undefined) {
      return err(path, `Required parameter "${m.name}" is missing.`);
    }
  }
  if (!isObject(value)) {
    return null;
  }
  for (const [name, member] of Object.entries(value)) {
    const p = [...path, name];
    const spec = members.find((m) => m.name === name);
    if (spec === undefined) {
      return err(p, `Unknown parameter "${name}".`);
    }
    if (spec.isVar && typeof member === "string" && member.includes("$")) {
      // nxt_var_test is not modelled: any "$name" string is accepted as a variable.
      continue;
    }
    const t = vldtType(name, member, spec.type, p);
    if (t) return t;
    if (spec.validator) {
      const r = spec.validator(v, member, p);
      if (r) return r;
    }
  }
  return null;
}

function objectOf(members: () => readonly Member[]): Validator {
  return (v, value, path) => vldtObject(v, value, members(), path);
}

function objectIterator(fn: (v: Vldt, name: string, value: Json, path: string[]) => VErr | null): Validator {
  return (v, value, path) => {
    if (!isObject(value)) return null;
    for (const [name, member] of Object.entries(value)) {
      const r = fn(v, name, member, [...path, name]);
      if (r) return r;
    }
    return null;
  };
}

function arrayIterator(fn: (v: Vldt, value: Json, path: string[]) => VErr | null): Validator {
  return (v, value, path) => {
    if (!Array.isArray(value)) return null;
    for (let i = 0; i < value.length; i++) {
      const r = fn(v, value[i]!, [...path, String(i)]);
      if (r) return r;
    }
    return null;
  };
}

function stringArrayElement(what: string, checkNul: boolean): (v: Vldt, value: Json, path: string[]) => VErr | null {
  return (_v, value, path) => {
    if (typeof value !== "string") {
      return err(path, `The "${what}" array must contain only string values.`);
    }
    if (checkNul && value.includes("\0")) {
      return err(path, `The "${what}" array must not contain strings with null character.`);
    }
    return null;
  };
}

/* ---------------------------------------------------------------- addresses */

function inetAddr(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** nxt_sockaddr_parse, reduced: unix:path, [v6]:port, (*|IPv4)[:port]; a port is required. */
export function sockaddrParse(addr: string): boolean {
  if (addr.startsWith("unix:")) {
    return addr.length > 5;
  }
  let host: string;
  let port: string | null;
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    if (end < 0) return false;
    host = addr.slice(1, end);
    const rest = addr.slice(end + 1);
    if (rest === "") port = null;
    else if (rest.startsWith(":")) port = rest.slice(1);
    else return false;
    if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(":")) return false;
  } else {
    const colon = addr.indexOf(":");
    host = colon < 0 ? addr : addr.slice(0, colon);
    port = colon < 0 ? null : addr.slice(colon + 1);
    if (host !== "*" && !inetAddr(host)) return false;
  }
  if (port === null) return false; // "The address ... must specify a port."
  if (!/^\d+$/.test(port)) return false;
  const n = Number(port);
  return n >= 1 && n <= 65535;
}

/* ---------------------------------------------------------------- settings */

const websocketMembers: Member[] = [
  { name: "read_timeout", type: T_INTEGER },
  { name: "keepalive_interval", type: T_INTEGER },
  { name: "max_frame_size", type: T_INTEGER },
];

const vldtMtypes: Validator = (_v, value, path) => {
  const seen = new Map<string, string>();
  if (!isObject(value)) return null;
  for (const [type, exts] of Object.entries(value)) {
    const p = [...path, type];
    const t = vldtType(type, exts, T_STRING | T_ARRAY, p);
    if (t) return t;
    const list = Array.isArray(exts) ? exts : [exts];
    for (const ext of list) {
      if (typeof ext !== "string") {
        return err(p, `The "${type}" MIME type array must contain only strings.`);
      }
      if (ext.length === 0) {
        return err(p, `An empty file extension for the "${type}" MIME type.`);
      }
      const key = ext.toLowerCase();
      const dup = seen.get(key);
      if (dup !== undefined) {
        return err(
          p,
          `The "${ext}" file extension has been declared for "${dup}" and "${type}" MIME types at the same time.`,
        );
      }
      seen.set(key, type);
    }
  }
  return null;
};

const staticMembers: Member[] = [{ name: "mime_types", type: T_OBJECT, validator: vldtMtypes }];

const httpMembers: Member[] = [
  { name: "header_read_timeout", type: T_INTEGER },
  { name: "body_read_timeout", type: T_INTEGER },
  { name: "send_timeout", type: T_INTEGER },
  { name: "idle_timeout", type: T_INTEGER },
  { name: "body_buffer_size", type: T_INTEGER },
  { name: "max_body_size", type: T_INTEGER },
  { name: "body_temp_path", type: T_STRING },
  { name: "discard_unsafe_fields", type: T_BOOLEAN },
  { name: "websocket", type: T_OBJECT, validator: objectOf(() => websocketMembers) },
  { name: "static", type: T_OBJECT, validator: objectOf(() => staticMembers) },
];

const settingMembers: Member[] = [{ name: "http", type: T_OBJECT, validator: objectOf(() => httpMembers) }];

/* ---------------------------------------------------------------- listeners */

/** nxt_http_pass_segments: up to 3 non-empty "/"-separated segments. */
function passSegments(pass: string): string[] | null {
  const segs = pass.split("/");
  if (segs.length > 3 || segs.some((s) => s.length === 0)) return null;
  try {
    return segs.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

const vldtPass: Validator = (v, value, path) => {
  const pass = value as string;
  const segs = passSegments(pass);
  if (segs === null) {
    return err(path, `Request "pass" value "${pass}" is invalid.`);
  }
  const [s0, s1 = "", s2 = ""] = segs;
  const bad = err(path, `Request "pass" points to invalid location "${pass}".`);

  if (s0 === "applications") {
    if (s1 === "") return bad;
    const app = get(get(v.conf, "applications"), s1);
    if (app === undefined) return bad;
    if (s2 !== "" && get(get(app, "targets"), s2) === undefined) return bad;
    return null;
  }
  if (s0 === "upstreams") {
    if (s1 === "" || s2 !== "") return bad;
    return get(get(v.conf, "upstreams"), s1) === undefined ? bad : null;
  }
  if (s0 === "routes") {
    if (s2 !== "") return bad;
    const routes = get(v.conf, "routes");
    if (routes === undefined) return bad;
    if (s1 === "") return Array.isArray(routes) ? null : bad;
    if (!isObject(routes)) return bad;
    return get(routes, s1) === undefined ? bad : null;
  }
  return bad;
};

const vldtAppName: Validator = (v, value, path) => {
  const name = value as string;
  if (get(get(v.conf, "applications"), name) === undefined) {
    return err(path, `Listening socket is assigned for a non existing application "${name}".`);
  }
  return null;
};

/** Address patterns are not parsed by the model; only the container shape is checked. */
const vldtMatchAddrs: Validator = (_v, value, path) => {
  const list = Array.isArray(value) ? value : [value];
  for (const a of list) {
    if (typeof a !== "string") {
      return err(path, `The "address" must be a string.`);
    }
  }
  return null;
};

const forwardedMembers: Member[] = [
  { name: "client_ip", type: T_STRING },
  { name: "protocol", type: T_STRING },
  { name: "source", type: T_STRING | T_ARRAY, required: true, validator: vldtMatchAddrs },
  { name: "recursive", type: T_BOOLEAN },
];

const vldtForwarded: Validator = (v, value, path) => {
  if (get(value, "client_ip") === undefined && get(value, "protocol") === undefined) {
    return err(path, `The "forwarded" object must have either "client_ip" or "protocol" option set.`);
  }
  return vldtObject(v, value, forwardedMembers, path);
};

const clientIpMembers: Member[] = [
  { name: "source", type: T_STRING | T_ARRAY, required: true, validator: vldtMatchAddrs },
  { name: "header", type: T_STRING, required: true },
  { name: "recursive", type: T_BOOLEAN },
];

const vldtCertificateElement = (_v: Vldt, value: Json, path: string[]): VErr | null => {
  if (typeof value !== "string") {
    return err(path, `The "certificate" array must contain only string values.`);
  }
  // The model has no certificate store, so every bundle name is unknown.
  return err(path, `Certificate "${value}" is not found.`);
};

const vldtCertificate: Validator = (v, value, path) => {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return err(path, `The "certificate" array must contain at least one element.`);
    }
    return arrayIterator(vldtCertificateElement)(v, value, path);
  }
  return vldtCertificateElement(v, value, path);
};

const sessionMembers: Member[] = [
  {
    name: "cache_size",
    type: T_INTEGER,
    validator: (_v, value, path) =>
      (value as number) < 0 ? err(path, `The "cache_size" number must not be negative.`) : null,
  },
  {
    name: "timeout",
    type: T_INTEGER,
    validator: (_v, value, path) =>
      (value as number) <= 0 ? err(path, `The "timeout" number must be greater than zero.`) : null,
  },
  { name: "tickets", type: T_STRING | T_ARRAY | T_BOOLEAN },
];

const tlsMembers: Member[] = [
  { name: "certificate", type: T_STRING | T_ARRAY, required: true, validator: vldtCertificate },
  { name: "conf_commands", type: T_OBJECT },
  { name: "session", type: T_OBJECT, validator: objectOf(() => sessionMembers) },
];

const listenerMembers: Member[] = [
  { name: "pass", type: T_STRING, isVar: true, validator: vldtPass },
  { name: "application", type: T_STRING, validator: vldtAppName },
  { name: "forwarded", type: T_OBJECT, validator: vldtForwarded },
  { name: "client_ip", type: T_OBJECT, validator: objectOf(() => clientIpMembers) },
  { name: "tls", type: T_OBJECT, validator: objectOf(() => tlsMembers) },
];

const vldtListener = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  if (!sockaddrParse(name)) {
    return err(path, `The listener address "${name}" is invalid.`);
  }
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;
  return vldtObject(v, value, listenerMembers, path);
};

/* ---------------------------------------------------------------- routes */

const vldtScheme: Validator = (_v, value, path) => {
  const s = (value as string).toLowerCase();
  return s === "http" || s === "https" ? null : err(path, `The "scheme" can either be "http" or "https".`);
};

/** Pattern syntax is not modelled; the shapes (string, array, object) are. */
const matchMembers: Member[] = [
  { name: "method", type: T_STRING | T_ARRAY },
  { name: "scheme", type: T_STRING, validator: vldtScheme },
  { name: "host", type: T_STRING | T_ARRAY },
  { name: "source", type: T_STRING | T_ARRAY, validator: vldtMatchAddrs },
  { name: "destination", type: T_STRING | T_ARRAY, validator: vldtMatchAddrs },
  { name: "uri", type: T_STRING | T_ARRAY },
  { name: "query", type: T_STRING | T_ARRAY },
  { name: "arguments", type: T_OBJECT | T_ARRAY },
  { name: "headers", type: T_OBJECT | T_ARRAY },
  { name: "cookies", type: T_OBJECT | T_ARRAY },
];

const passActionMembers: Member[] = [{ name: "pass", type: T_STRING, isVar: true, validator: vldtPass }];

const returnActionMembers: Member[] = [
  {
    name: "return",
    type: T_INTEGER,
    validator: (_v, value, path) => {
      const n = value as number;
      return n < 0 || n > 999
        ? err(path, `The "return" value is out of allowed HTTP status code range 0-999.`)
        : null;
    },
  },
  { name: "location", type: T_STRING, isVar: true },
];

const vldtShare: Validator = (v, value, path) => {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return err(path, `The "share" array must contain at least one element.`);
    }
    return arrayIterator(stringArrayElement("share", false))(v, value, path);
  }
  return null;
};

const shareActionMembers: Member[] = [
  { name: "share", type: T_STRING | T_ARRAY, validator: vldtShare },
  { name: "index", type: T_STRING },
  { name: "types", type: T_STRING | T_ARRAY },
  { name: "fallback", type: T_OBJECT, validator: (v, value, path) => vldtAction(v, value, path) },
  // Linux build with openat2(2): chroot/follow_symlinks/traverse_mounts are supported.
  { name: "chroot", type: T_STRING, isVar: true },
  { name: "follow_symlinks", type: T_BOOLEAN },
  { name: "traverse_mounts", type: T_BOOLEAN },
];

const proxyActionMembers: Member[] = [
  {
    name: "proxy",
    type: T_STRING,
    validator: (_v, value, path) => {
      const s = value as string;
      if (s.startsWith("http://") && sockaddrParse(s.slice(7))) return null;
      const name = s.startsWith("http://") ? s.slice(7) : s;
      return err(path, `The "proxy" address is invalid "${name}"`);
    },
  },
];

const ACTIONS: readonly (readonly [string, readonly Member[]])[] = [
  ["pass", passActionMembers],
  ["return", returnActionMembers],
  ["share", shareActionMembers],
  ["proxy", proxyActionMembers],
];

function vldtAction(v: Vldt, value: Json, path: string[]): VErr | null {
  let members: readonly Member[] | null = null;
  for (const [name, m] of ACTIONS) {
    if (get(value, name) === undefined) continue;
    if (members !== null) {
      return err(path, `The "action" object must have just one of "pass", "return", "share", or "proxy" options set.`);
    }
    members = m;
  }
  if (members === null) {
    return err(path, `The "action" object must have either "pass", "return", "share", or "proxy" option set.`);
  }
  return vldtObject(v, value, members, path);
}

const routeMembers: Member[] = [
  { name: "match", type: T_OBJECT, validator: objectOf(() => matchMembers) },
  { name: "action", type: T_OBJECT, validator: vldtAction },
];

const vldtRoute = (v: Vldt, value: Json, path: string[]): VErr | null => {
  if (!isObject(value)) {
    return err(path, `The "routes" array must contain only object values.`);
  }
  return vldtObject(v, value, routeMembers, path);
};

const vldtRoutes: Validator = (v, value, path) => {
  if (Array.isArray(value)) {
    return arrayIterator(vldtRoute)(v, value, path);
  }
  return objectIterator((v2, name, member, p) => {
    const t = vldtType(name, member, T_ARRAY, p);
    if (t) return t;
    return arrayIterator(vldtRoute)(v2, member, p);
  })(v, value, path);
};

/* ---------------------------------------------------------------- upstreams */

const serverMembers: Member[] = [
  {
    name: "weight",
    type: T_NUMBER,
    validator: (_v, value, path) => {
      const n = value as number;
      if (n < 0) return err(path, `The "weight" number must be positive.`);
      if (n > 1000000) return err(path, `The "weight" number must not exceed 1,000,000`);
      return null;
    },
  },
];

const vldtServer = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;
  if (!sockaddrParse(name)) {
    return err(path, `The "${name}" is not valid server address.`);
  }
  return vldtObject(v, value, serverMembers, path);
};

const upstreamMembers: Member[] = [{ name: "servers", type: T_OBJECT, validator: objectIterator(vldtServer) }];

const vldtUpstream = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;
  const r = vldtObject(v, value, upstreamMembers, path);
  if (r) return r;
  if (get(value, "servers") === undefined) {
    return err(path, `The "${name}" upstream must contain "servers" object value.`);
  }
  return null;
};

/* ---------------------------------------------------------------- applications */

const vldtThreads: Validator = (_v, value, path) => {
  const n = value as number;
  if (n < 1) return err(path, `The "threads" number must be equal to or greater than 1.`);
  if (n > INT32_MAX) return err(path, `The "threads" number must not exceed ${INT32_MAX}.`);
  return null;
};

const vldtThreadStackSize: Validator = (_v, value, path) => {
  const n = value as number;
  if (n < THREAD_STACK_MIN) {
    return err(path, `The "thread_stack_size" number must be equal to or greater than ${THREAD_STACK_MIN}.`);
  }
  if (n % PAGE_SIZE !== 0) {
    return err(path, `The "thread_stack_size" number must be a multiple of the system page size (${PAGE_SIZE}).`);
  }
  return null;
};

function vldtTargetsExclusive(option: string): Validator {
  return (_v, _value, path) => err(path, `The "${option}" option is mutually exclusive with the "targets" object.`);
}

function vldtTargets(targetMembers: () => readonly Member[]): Validator {
  return (v, value, path) => {
    if (isObject(value) && Object.keys(value).length > 254) {
      return err(path, `The "targets" object must not contain more than 254 members.`);
    }
    return objectIterator((v2, name, member, p) => {
      if (name.length === 0) return err(p, `The target name must not be empty.`);
      if (!isObject(member)) return err(p, `The "${name}" target must be an object.`);
      return vldtObject(v2, member, targetMembers(), p);
    })(v, value, path);
  };
}

const vldtEnvironment = (_v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  if (name.length === 0) return err(path, `The environment name must not be empty.`);
  if (name.includes("\0")) return err(path, `The environment name must not contain null character.`);
  if (name.includes("=")) return err(path, `The environment name must not contain '=' character.`);
  if (typeof value !== "string") return err(path, `The "${name}" environment value must be a string.`);
  if (value.includes("\0")) return err(path, `The "${name}" environment value must not contain null character.`);
  return null;
};

const limitsMembers: Member[] = [
  { name: "timeout", type: T_INTEGER },
  { name: "requests", type: T_INTEGER },
  { name: "shm", type: T_INTEGER },
];

const processesMembers: Member[] = [
  { name: "spare", type: T_INTEGER },
  { name: "max", type: T_INTEGER },
  { name: "idle_timeout", type: T_INTEGER },
];

const vldtProcesses: Validator = (v, value, path) => {
  if (has(v, "9e986704") && typeof value === "number" && Number.isInteger(value)) {
    // 9e986704 tests for NXT_CONF_INTEGER, so an integer is checked at last.
    if (value < 1) return err(path, `The "processes" number must be equal to or greater than 1.`);
    if (value > INT32_MAX) return err(path, `The "processes" number must not exceed ${INT32_MAX}.`);
    return null;
  }
  // Unit compares the value's type with NXT_CONF_NUMBER (fractional), which an integer never
  // is, so an integer "processes" falls through to the object checks (which find no
  // members and the defaults) and any integer (0, negative, huge) is accepted at c8d9106a
  // (fixed upstream in 2024, 9e986704).
  const r = vldtObject(v, value, processesMembers, path);
  if (r) return r;
  const int = (name: string, dflt: number): number => {
    const m = get(value, name);
    return typeof m === "number" && Number.isInteger(m) ? m : dflt;
  };
  const spare = int("spare", 0);
  const max = int("max", 1);
  const idle = int("idle_timeout", 15);
  if (spare < 0) return err(path, `The "spare" number must not be negative.`);
  if (spare > INT32_MAX) return err(path, `The "spare" number must not exceed ${INT32_MAX}.`);
  if (max < 1) return err(path, `The "max" number must be equal to or greater than 1.`);
  if (max > INT32_MAX) return err(path, `The "max" number must not exceed ${INT32_MAX}.`);
  if (max < spare) return err(path, `The "spare" number must be less than or equal to "max".`);
  if (idle < 0) return err(path, `The "idle_timeout" number must not be negative.`);
  const idleMax = Math.trunc(INT32_MAX / 1000);
  if (idle > idleMax) return err(path, `The "idle_timeout" number must not exceed ${idleMax}.`);
  return null;
};

const procmapMembers: Member[] = [
  { name: "container", type: T_INTEGER },
  { name: "host", type: T_INTEGER },
  { name: "size", type: T_INTEGER },
];

/** eba7378d: the three members are NXT_CONF_VLDT_REQUIRED. */
const procmapRequiredMembers: Member[] = procmapMembers.map((m) => ({ ...m, required: true }));

function has(v: Vldt, commit: UpstreamCommit): boolean {
  return v.opts.upstream?.includes(commit) ?? false;
}

function vldtCloneMap(field: "uidmap" | "gidmap", mapfile: string): Validator {
  return arrayIterator((v, value, path) => {
    if (!isObject(value)) {
      return err(path, `The "${field}" array must contain only object values.`);
    }
    const r = vldtObject(v, value, has(v, "eba7378d") ? procmapRequiredMembers : procmapMembers, path);
    if (r) return r;
    // 990fbe70 removed nxt_conf_vldt_clone_procmap: an explicit -1 is accepted from then on.
    if (has(v, "990fbe70")) return null;
    for (const name of ["container", "host", "size"]) {
      const m = get(value, name);
      // nxt_conf_vldt_clone_procmap starts each field at -1: an explicit -1 also counts as unset.
      if (typeof m !== "number" || (m | 0) === -1) {
        return err(path, `The ${mapfile} requires the "${name}" field set.`);
      }
    }
    return null;
  });
}

const namespacesMembers: Member[] = [
  { name: "credential", type: T_BOOLEAN },
  { name: "pid", type: T_BOOLEAN },
  { name: "network", type: T_BOOLEAN },
  { name: "mount", type: T_BOOLEAN },
  { name: "uname", type: T_BOOLEAN },
  { name: "cgroup", type: T_BOOLEAN },
];

const automountMembers: Member[] = [
  { name: "language_deps", type: T_BOOLEAN },
  { name: "tmpfs", type: T_BOOLEAN },
  { name: "procfs", type: T_BOOLEAN },
];

function isolationMembers(opts: ConfValidateOptions): Member[] {
  const members: Member[] = [
    { name: "namespaces", type: T_OBJECT, validator: objectOf(() => namespacesMembers) },
    { name: "uidmap", type: T_ARRAY, validator: vldtCloneMap("uidmap", "uid_map") },
    { name: "gidmap", type: T_ARRAY, validator: vldtCloneMap("gidmap", "gid_map") },
    { name: "rootfs", type: T_STRING },
    { name: "automount", type: T_OBJECT, validator: objectOf(() => automountMembers) },
  ];
  if (opts.havePrSetNoNewPrivs) {
    members.push({ name: "new_privs", type: T_BOOLEAN });
  }
  if (opts.upstream?.includes("f67a01b8")) {
    members.push({ name: "cgroup", type: T_OBJECT, validator: objectOf(() => cgroupMembers) });
  }
  return members;
}

/** f67a01b8: nxt_conf_vldt_app_cgroup_members (lifecycle/conf-validation-cgroup.ts). */
const cgroupMembers: Member[] = [
  { name: "path", type: T_STRING, required: true, validator: (_v, value, path) => errIf(path, confVldtCgroupPath(value as string)) },
];

function errIf(path: string[], detail: string | null): VErr | null {
  return detail === null ? null : err(path, detail);
}

const commonMembers: Member[] = [
  { name: "type", type: T_STRING },
  { name: "limits", type: T_OBJECT, validator: objectOf(() => limitsMembers) },
  { name: "processes", type: T_INTEGER | T_OBJECT, validator: vldtProcesses },
  { name: "user", type: T_STRING },
  { name: "group", type: T_STRING },
  { name: "working_directory", type: T_STRING },
  { name: "environment", type: T_OBJECT, validator: objectIterator(vldtEnvironment) },
  { name: "isolation", type: T_OBJECT, validator: (v, value, path) => vldtObject(v, value, isolationMembers(v.opts), path) },
];

const externalMembers: Member[] = [
  { name: "executable", type: T_STRING, required: true },
  { name: "arguments", type: T_ARRAY, validator: arrayIterator(stringArrayElement("arguments", true)) },
  ...commonMembers,
];

const pythonCommonMembers: Member[] = [
  { name: "home", type: T_STRING },
  { name: "path", type: T_STRING | T_ARRAY, validator: arrayIterator(stringArrayElement("path", false)) },
  {
    name: "protocol",
    type: T_STRING,
    validator: (_v, value, path) =>
      value === "wsgi" || value === "asgi" ? null : err(path, `The "protocol" can either be "wsgi" or "asgi".`),
  },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "thread_stack_size", type: T_INTEGER, validator: vldtThreadStackSize },
  ...commonMembers,
];

const pythonTargetMembers: Member[] = [
  { name: "module", type: T_STRING, required: true },
  { name: "callable", type: T_STRING },
];

const pythonMembers: Member[] = [
  { name: "module", type: T_STRING, validator: vldtTargetsExclusive("module") },
  { name: "callable", type: T_STRING, validator: vldtTargetsExclusive("callable") },
  { name: "targets", type: T_OBJECT, validator: vldtTargets(() => pythonTargetMembers) },
  ...pythonCommonMembers,
];

const pythonNotargetsMembers: Member[] = [...pythonTargetMembers, ...pythonCommonMembers];

const phpOption = (_v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  if (name.length === 0) return err(path, `The PHP option name must not be empty.`);
  if (typeof value !== "string") return err(path, `The "${name}" PHP option must be a string.`);
  return null;
};

const phpOptionsMembers: Member[] = [
  { name: "file", type: T_STRING },
  { name: "admin", type: T_OBJECT, validator: objectIterator(phpOption) },
  { name: "user", type: T_OBJECT, validator: objectIterator(phpOption) },
];

const phpCommonMembers: Member[] = [
  { name: "options", type: T_OBJECT, validator: objectOf(() => phpOptionsMembers) },
  ...commonMembers,
];

const phpTargetMembers: Member[] = [
  { name: "root", type: T_STRING, required: true },
  { name: "script", type: T_STRING },
  { name: "index", type: T_STRING },
];

const phpMembers: Member[] = [
  { name: "root", type: T_ANY, validator: vldtTargetsExclusive("root") },
  { name: "script", type: T_ANY, validator: vldtTargetsExclusive("script") },
  { name: "index", type: T_ANY, validator: vldtTargetsExclusive("index") },
  { name: "targets", type: T_OBJECT, validator: vldtTargets(() => phpTargetMembers) },
  ...phpCommonMembers,
];

const phpNotargetsMembers: Member[] = [...phpTargetMembers, ...phpCommonMembers];

const perlMembers: Member[] = [
  { name: "script", type: T_STRING, required: true },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "thread_stack_size", type: T_INTEGER, validator: vldtThreadStackSize },
  ...commonMembers,
];

const rubyMembers: Member[] = [
  { name: "script", type: T_STRING, required: true },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "hooks", type: T_STRING },
  ...commonMembers,
];

const javaMembers: Member[] = [
  { name: "classpath", type: T_ARRAY, validator: arrayIterator(stringArrayElement("classpath", true)) },
  { name: "webapp", type: T_STRING, required: true },
  { name: "options", type: T_ARRAY, validator: arrayIterator(stringArrayElement("options", true)) },
  { name: "unit_jars", type: T_STRING },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "thread_stack_size", type: T_INTEGER, validator: vldtThreadStackSize },
  ...commonMembers,
];

export type AppType = "external" | "python" | "php" | "perl" | "ruby" | "java";

/** nxt_app_parse_type on the part of a type string before the first space or digit. */
export function appParseType(type: string): { type: AppType | null; version: string } {
  let i = 0;
  while (i < type.length && type[i] !== " " && !(type[i]! >= "0" && type[i]! <= "9")) i++;
  const name = type.slice(0, i);
  const version = type[i] === " " ? type.slice(i + 1) : type.slice(i);
  const t: AppType | null =
    name === "external" || name === "go"
      ? "external"
      : name === "python" || name === "php" || name === "perl" || name === "ruby" || name === "java"
        ? name
        : null;
  return { type: t, version };
}

/** nxt_strvers_match: `prefix` matches `version` up to a version part boundary. */
export function strversMatch(version: string, prefix: string): boolean {
  if (prefix.length === 0) return true;
  if (!version.startsWith(prefix)) return false;
  if (version.length === prefix.length) return true;
  const isDigit = (c: string): boolean => c >= "0" && c <= "9";
  return isDigit(version[prefix.length - 1]!) !== isDigit(version[prefix.length]!);
}

/** nxt_app_lang_module: the first installed module of that type whose version matches. */
export function appLangModule(
  modules: readonly { type: string; version: string }[],
  type: string,
): { type: AppType; version: string } | null {
  const parsed = appParseType(type);
  if (parsed.type === null) return null;
  const installed = [{ type: "external", version: "" }, ...modules];
  for (const m of installed) {
    if (appParseType(m.type).type === parsed.type && strversMatch(m.version, parsed.version)) {
      return { type: parsed.type, version: m.version };
    }
  }
  return null;
}

const vldtApp = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;

  const typeValue = get(value, "type");
  if (typeValue === undefined) {
    return err(path, `Application must have the "type" property set.`);
  }
  const tt = vldtType("type", typeValue, T_STRING, [...path, "type"]);
  if (tt) return tt;

  const lang = appLangModule(v.opts.modules, typeValue as string);
  if (lang === null) {
    return err(
      [...path, "type"],
      `The module to run "${typeValue as string}" is not found among the available application modules.`,
    );
  }

  const hasTargets = get(value, "targets") !== undefined;
  switch (lang.type) {
    case "external":
      return vldtObject(v, value, externalMembers, path);
    case "python":
      return vldtObject(v, value, hasTargets ? pythonMembers : pythonNotargetsMembers, path);
    case "php":
      return vldtObject(v, value, hasTargets ? phpMembers : phpNotargetsMembers, path);
    case "perl":
      return vldtObject(v, value, perlMembers, path);
    case "ruby":
      return vldtObject(v, value, rubyMembers, path);
    case "java":
      return vldtObject(v, value, javaMembers, path);
  }
};

/* ---------------------------------------------------------------- root */

const rootMembers: Member[] = [
  { name: "settings", type: T_OBJECT, validator: objectOf(() => settingMembers) },
  { name: "listeners", type: T_OBJECT, validator: objectIterator(vldtListener) },
  { name: "routes", type: T_ARRAY | T_OBJECT, validator: vldtRoutes },
  { name: "applications", type: T_OBJECT, validator: objectIterator(vldtApp) },
  { name: "upstreams", type: T_OBJECT, validator: objectIterator(vldtUpstream) },
  { name: "access_log", type: T_STRING },
];

/** nxt_conf_validate for a whole configuration; errors as the controller answers them. */
export function confValidate(conf: Json, opts: ConfValidateOptions): ConfValidateResult {
  const v: Vldt = { conf, opts };
  const r = vldtType(null, conf, T_OBJECT, []) ?? vldtObject(v, conf, rootMembers, []);
  if (r === null) {
    return { ok: true };
  }
  return { ok: false, error: "Invalid configuration.", detail: r.detail, path: r.path.join("/") };
}

// Listeners, settings and upstreams of the controller's configuration validation
// (src/nxt_conf_validation.c at c8d9106a): nxt_sockaddr_parse (reduced), nxt_conf_vldt_setting_members
// (http, websocket, static with nxt_conf_vldt_mtypes), nxt_conf_vldt_listener with "pass",
// "application", "forwarded", "client_ip" and "tls" (session, certificate), and
// nxt_conf_vldt_upstream with its servers.

import type { Json } from "./kernel.ts";
import { T_ARRAY, T_BOOLEAN, T_INTEGER, T_NUMBER, T_OBJECT, T_STRING } from "./conf-validation-walk.ts";
import { arrayIterator, err, get, isObject, objectIterator, objectOf, vldtObject, vldtType } from "./conf-validation-walk.ts";
import type { Member, Validator, VErr, Vldt } from "./conf-validation-walk.ts";

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

export const settingMembers: Member[] = [{ name: "http", type: T_OBJECT, validator: objectOf(() => httpMembers) }];

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

export const vldtPass: Validator = (v, value, path) => {
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
export const vldtMatchAddrs: Validator = (_v, value, path) => {
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

export const vldtListener = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  if (!sockaddrParse(name)) {
    return err(path, `The listener address "${name}" is invalid.`);
  }
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;
  return vldtObject(v, value, listenerMembers, path);
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

export const vldtUpstream = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;
  const r = vldtObject(v, value, upstreamMembers, path);
  if (r) return r;
  if (get(value, "servers") === undefined) {
    return err(path, `The "${name}" upstream must contain "servers" object value.`);
  }
  return null;
};

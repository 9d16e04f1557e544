// Routes of the controller's configuration validation (src/nxt_conf_validation.c at c8d9106a):
// nxt_conf_vldt_routes and nxt_conf_vldt_route, nxt_conf_vldt_match_members (shapes only) and
// nxt_conf_vldt_action with the pass, return, share and proxy action members.

import type { Json } from "./kernel.ts";
import { sockaddrParse, vldtMatchAddrs, vldtPass } from "./conf-validation-http.ts";
import { T_ARRAY, T_BOOLEAN, T_INTEGER, T_OBJECT, T_STRING } from "./conf-validation-walk.ts";
import { arrayIterator, err, get, isObject, objectIterator, objectOf, stringArrayElement, vldtObject, vldtType } from "./conf-validation-walk.ts";
import type { Member, Validator, VErr, Vldt } from "./conf-validation-walk.ts";

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

export const vldtRoutes: Validator = (v, value, path) => {
  if (Array.isArray(value)) {
    return arrayIterator(vldtRoute)(v, value, path);
  }
  return objectIterator((v2, name, member, p) => {
    const t = vldtType(name, member, T_ARRAY, p);
    if (t) return t;
    return arrayIterator(vldtRoute)(v2, member, p);
  })(v, value, path);
};

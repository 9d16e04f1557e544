// The controller's configuration validation (src/nxt_conf_validation.c at c8d9106a), as data:
// member tables (name, allowed JSON types, required/variable flags, an extra check) walked the
// way Unit walks them, giving Unit's error texts. "applications" is modelled in full; listeners,
// routes, upstreams and settings get their member tables and the simpler checks.
//
// The result adds `path` (slash-separated conf path of the offending value) to Unit's
// {error, detail} answer, so callers can say where the problem is.

import type { Json } from "./kernel.ts";
import { vldtApp } from "./conf-validation-langs.ts";
import { settingMembers, vldtListener, vldtUpstream } from "./conf-validation-http.ts";
import { vldtRoutes } from "./conf-validation-routes.ts";
import { T_ARRAY, T_OBJECT, T_STRING } from "./conf-validation-walk.ts";
import { objectIterator, objectOf, vldtObject, vldtType } from "./conf-validation-walk.ts";
import type { ConfValidateOptions, Member, Vldt } from "./conf-validation-walk.ts";

export type { ConfValidateOptions } from "./conf-validation-walk.ts";
export { sockaddrParse } from "./conf-validation-http.ts";
export { appLangModule, appParseType, strversMatch, type AppType } from "./conf-validation-langs.ts";

export type ConfValidateResult =
  | { ok: true }
  | { ok: false; error: string; detail: string; path: string };

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

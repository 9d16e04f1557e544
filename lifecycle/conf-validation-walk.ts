// The engine of the controller's configuration validation (src/nxt_conf_validation.c at
// c8d9106a): the value type bits and nxt_conf_vldt_type, the member table entry
// (nxt_conf_vldt_object_t) and nxt_conf_vldt_object, nxt_conf_vldt_object_iterator and
// nxt_conf_vldt_array_iterator. The member tables walked with it are in conf-validation-http.ts,
// -routes.ts, -apps.ts and -langs.ts; conf-validation.ts ties them together from the root.

import type { Json } from "./kernel.ts";
import type { UpstreamCommit } from "./options.ts";

// Here rather than in conf-validation.ts (which re-exports it) because Vldt carries it.
export interface ConfValidateOptions {
  /** NXT_HAVE_PR_SET_NO_NEW_PRIVS: "isolation.new_privs" exists only when true (false at c8d9106a). */
  havePrSetNoNewPrivs: boolean;
  /** Language modules found by discovery; the "external" module is always present (nxt_runtime.c). */
  modules: { type: string; version: string }[];
  /** Upstream commits beyond c8d9106a whose validation changes apply (eba7378d, 990fbe70, 9e986704). */
  upstream?: readonly UpstreamCommit[];
}

type JsonObject = { [key: string]: Json };

/* Value type bits, in Unit's order (nxt_conf_vldt_type_t). */
export const T_NULL = 1 << 0;
export const T_BOOLEAN = 1 << 1;
export const T_INTEGER = 1 << 2;
export const T_NUMBER = (1 << 3) | T_INTEGER;
export const T_STRING = 1 << 4;
export const T_ARRAY = 1 << 5;
export const T_OBJECT = 1 << 6;
export const T_ANY = T_NULL | T_BOOLEAN | T_NUMBER | T_STRING | T_ARRAY | T_OBJECT;

const TYPE_NAMES = [
  "a null",
  "a boolean",
  "an integer number",
  "a fractional number",
  "a string",
  "an array",
  "an object",
] as const;

export interface VErr {
  detail: string;
  path: string[];
}

export interface Vldt {
  conf: Json;
  opts: ConfValidateOptions;
}

export type Validator = (v: Vldt, value: Json, path: string[]) => VErr | null;

export interface Member {
  name: string;
  type: number;
  required?: boolean;
  /** NXT_CONF_VLDT_VAR: a string holding "$" is checked as a variable instead. */
  isVar?: boolean;
  validator?: Validator;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function get(obj: Json | undefined, name: string): Json | undefined {
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

export function err(path: string[], detail: string): VErr {
  return { detail, path };
}

/** nxt_conf_vldt_type: "The "x" value must be either a, b, or c, but not d." */
export function vldtType(name: string | null, value: Json, type: number, path: string[]): VErr | null {
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
export function vldtObject(v: Vldt, value: Json, members: readonly Member[], path: string[]): VErr | null {
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

export function objectOf(members: () => readonly Member[]): Validator {
  return (v, value, path) => vldtObject(v, value, members(), path);
}

export function objectIterator(fn: (v: Vldt, name: string, value: Json, path: string[]) => VErr | null): Validator {
  return (v, value, path) => {
    if (!isObject(value)) return null;
    for (const [name, member] of Object.entries(value)) {
      const r = fn(v, name, member, [...path, name]);
      if (r) return r;
    }
    return null;
  };
}

export function arrayIterator(fn: (v: Vldt, value: Json, path: string[]) => VErr | null): Validator {
  return (v, value, path) => {
    if (!Array.isArray(value)) return null;
    for (let i = 0; i < value.length; i++) {
      const r = fn(v, value[i]!, [...path, String(i)]);
      if (r) return r;
    }
    return null;
  };
}

export function stringArrayElement(what: string, checkNul: boolean): (v: Vldt, value: Json, path: string[]) => VErr | null {
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

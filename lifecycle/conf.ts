// src/nxt_conf.c, the part the model reads outside validation: a member of a configuration
// object (Unit's nxt_conf_value_t is plain JSON here).

import type { Json } from "./kernel.ts";

export type JsonObject = { [key: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** nxt_conf_get_object_member: undefined when `obj` is not an object or has no such member. */
export function confGetObjectMember(obj: Json | undefined, name: string): Json | undefined {
  return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

// A deep copy of the model's plain data, as structuredClone makes it: own keys in the same
// order, undefined values and array holes kept, a "__proto__" key kept as an own property.
// The model's data is JSON-shaped trees (records point at each other by address, see
// state.ts), so a tree walk copies it exactly. structuredClone goes through V8's value
// serializer: microseconds a call. The simulated kernel copies with it too (a clone's image,
// a message at send and at receive); a clone's image is most of what a run copies, so the
// walk avoids a call per primitive leaf and an array of keys per object.

//
// Data that never changes once made (options, configuration, a record's init, app data,
// isolation and credentials) is frozen with freezePlain, and copies share it: most of a
// clone's image is such data, so an image costs what can change, not all there is. Only
// values under the keys that hold such data are asked (Object.isFrozen is a runtime call,
// ~40 ns: asked of every object it would cost more than the copying it saves).

export function copyPlain<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  return (Array.isArray(value) ? copyArray(value) : copyRecord(value as Record<string, unknown>)) as T;
}

function copyArray(src: readonly unknown[]): unknown[] {
  const n = src.length;
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (typeof v === "object" && v !== null) out[i] = Array.isArray(v) ? copyArray(v) : copyRecord(v as Record<string, unknown>);
    else if (v !== undefined || i in src) out[i] = v; // a hole stays a hole
  }
  return out;
}

function copyRecord(src: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // for-in on plain data: its own keys in Object.keys order (Object.prototype has no enumerable keys).
  for (const key in src) {
    const s = src[key];
    const v =
      typeof s !== "object" || s === null || (mayBeShared(key) && Object.isFrozen(s)) ? s : Array.isArray(s) ? copyArray(s) : copyRecord(s as Record<string, unknown>);
    // Assigning "__proto__" would set the prototype; structuredClone defines the key.
    if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

/** The keys under which the model keeps frozen data (a frozen value elsewhere is copied as usual). */
function mayBeShared(key: string): boolean {
  switch (key) {
    case "options":
    case "conf":
    case "init":
    case "data":
    case "isolation":
    case "userCred":
      return true;
    default:
      return false;
  }
}

/**
 * Freezes plain data deeply and returns it: for data the model never changes after making it
 * (a write to it then throws, so a mistake cannot go unseen). copyPlain shares it.
 */
export function freezePlain<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const key in value) freezePlain((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

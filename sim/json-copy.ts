// A deep copy of plain JSON data, as structuredClone would make it (own keys in the same
// order, undefined values and array holes kept) but several times faster: structuredClone
// serialises through V8's value serializer, which dominated a run's profile. The model's
// state is plain data with no shared or cyclic references (lifecycle/state.ts: records point
// at each other by heap address), so a tree walk copies it exactly.

export function jsonCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const n = value.length;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = value[i];
      if (v === undefined && !(i in value)) continue; // a hole stays a hole
      out[i] = jsonCopy(v);
    }
    return out as T;
  }
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const key in src) out[key] = jsonCopy(src[key]);
  return out as T;
}

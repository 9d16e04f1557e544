// A copy of an object graph that keeps its shape: identity (an object reached twice is copied
// once), prototypes (class instances stay instances), Maps and Sets, and frozen data shared
// as lifecycle/copy.ts shares it. What a world fork (sim/world-fork.ts) is made of.

/** How a field is copied: "share" keeps the value, "drop" sets null, "copy" (the default) copies it. */
export type FieldRule = "share" | "drop" | "copy";

export class GraphCopier {
  /** Original -> copy; seeded with objects that map to themselves or to a replacement. */
  private readonly memo = new Map<object, unknown>();

  constructor(private readonly fieldRule: (key: string) => FieldRule) {}

  /** From now on `original` is copied as `replacement` (itself: shared). */
  map(original: object, replacement: unknown): void {
    this.memo.set(original, replacement);
  }

  copy<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(v: unknown): unknown {
    if (v === null || typeof v !== "object") {
      if (typeof v === "function") throw new Error("graph copy: a function in the state (behaviour must be found by name)");
      return v;
    }
    const known = this.memo.get(v);
    if (known !== undefined) return known;
    if (Object.isFrozen(v)) return v;
    if (Array.isArray(v)) {
      // Holes stay holes (an fd table's closed slots): the state digest tells them from undefined.
      const out: unknown[] = new Array(v.length);
      this.memo.set(v, out);
      for (let i = 0; i < v.length; i++) if (i in v) out[i] = this.walk(v[i]);
      return out;
    }
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      this.memo.set(v, out);
      for (const [k, x] of v) out.set(this.walk(k), this.walk(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set<unknown>();
      this.memo.set(v, out);
      for (const x of v) out.add(this.walk(x));
      return out;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    if (Object.prototype.toString.call(v) === "[object Generator]") {
      throw new Error("graph copy: a suspended generator (a process in the middle of a handler) cannot be copied");
    }
    const out = Object.create(proto) as Record<string, unknown>;
    this.memo.set(v, out);
    const from = v as Record<string, unknown>;
    for (const key of Object.keys(from)) {
      const rule = this.fieldRule(key);
      const x = from[key];
      out[key] = rule === "share" ? x : rule === "drop" ? null : this.walk(x);
    }
    return out;
  }
}

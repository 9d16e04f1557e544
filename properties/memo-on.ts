// Values computed once per run object (a trace, a run's view) and kept on that object, not in
// a module-level WeakMap: V8's scavenger keeps an old WeakMap's values alive until a full
// collection, so every run's trace and index were promoted to the old generation (in explore,
// about 180 KB a run, and the collections that followed were a large part of its CPU).

/** Values for keys that cannot take a property (frozen ones: rare, and never per explore run). */
const frozenKeys = new WeakMap<object, Map<symbol, unknown>>();

/**
 * `make()` for `key`, made once and kept on `key` under `slot` (a non-enumerable property,
 * which JSON, structuredClone and deep equality ignore).
 */
export function memoOn<K extends object, V>(key: K, slot: symbol, make: () => V): V {
  if (!Object.isExtensible(key)) {
    let bySlot = frozenKeys.get(key);
    if (bySlot === undefined) frozenKeys.set(key, (bySlot = new Map()));
    if (!bySlot.has(slot)) bySlot.set(slot, make());
    return bySlot.get(slot) as V;
  }
  const held = (key as { [s: symbol]: V | undefined })[slot];
  if (held !== undefined) return held;
  const value = make();
  Object.defineProperty(key, slot, { value, enumerable: false, writable: false, configurable: false });
  return value;
}

// copyPlain, the deep copy of the model's data and of the kernel's clone images and messages:
// the same result as structuredClone for JSON-shaped data, sharing nothing with the original.

import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";

import { copyPlain } from "../../lifecycle/copy.ts";

const SAMPLES: Record<string, unknown> = {
  scalars: [0, -0, 1.5, "s", true, false, null],
  holes: [1, , 3, , ,],
  undefinedValues: { a: undefined, b: [undefined, 2] },
  keyOrder: { z: 1, a: 2, 10: 3, 2: 4 },
  nested: { rt: { ports: [{ pid: 1, pair: [3, 4] }], name: "main" }, heap: [[], {}] },
  protoKey: JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
};

describe("copyPlain", () => {
  it.each(Object.entries(SAMPLES))("copies %s as structuredClone does", (_name, value) => {
    const copy = copyPlain(value);
    const reference = structuredClone(value);
    expect(isDeepStrictEqual(copy, reference)).toBe(true);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(reference));
    if (typeof value === "object" && value !== null) {
      expect(Reflect.ownKeys(copy as object)).toEqual(Reflect.ownKeys(reference as object));
      expect(copy).not.toBe(value);
    }
  });

  it('keeps a "__proto__" key as an own key and leaves the prototype alone', () => {
    const copy = copyPlain(SAMPLES["protoKey"]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("shares nothing: changing the copy leaves the original as it was", () => {
    const original = structuredClone(SAMPLES["nested"]) as { rt: { ports: { pid: number }[] } };
    const copy = copyPlain(original);
    copy.rt.ports[0]!.pid = 99;
    expect(original.rt.ports[0]!.pid).toBe(1);
  });
});

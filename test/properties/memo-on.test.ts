import { describe, expect, it } from "vitest";

import { memoOn } from "../../properties/memo-on.ts";

describe("memoOn: a value made once per object, kept on it", () => {
  const SLOT = Symbol("test slot");

  it("makes the value once and keeps it on the key, out of JSON, keys and equality", () => {
    const trace = [{ step: 1 }, { step: 2 }];
    let made = 0;
    const first = memoOn(trace, SLOT, () => ({ made: ++made }));
    const again = memoOn(trace, SLOT, () => ({ made: ++made }));
    expect(again).toBe(first);
    expect(made).toBe(1);
    expect(Object.getOwnPropertyDescriptor(trace, SLOT)?.enumerable).toBe(false);
    expect(JSON.stringify(trace)).toBe('[{"step":1},{"step":2}]');
    expect(Object.keys(trace)).toEqual(["0", "1"]);
    expect(trace).toEqual([{ step: 1 }, { step: 2 }]);
    expect(structuredClone(trace)).toEqual(trace);
  });

  it("keeps separate values per slot and per key", () => {
    const a = {};
    const b = {};
    const other = Symbol("other slot");
    expect(memoOn(a, SLOT, () => "a")).toBe("a");
    expect(memoOn(a, other, () => "a other")).toBe("a other");
    expect(memoOn(b, SLOT, () => "b")).toBe("b");
    expect(memoOn(a, SLOT, () => "again")).toBe("a");
  });

  it("still makes a frozen key's value once", () => {
    const frozen = Object.freeze({ step: 1 });
    let made = 0;
    const first = memoOn(frozen, SLOT, () => ({ made: ++made }));
    expect(memoOn(frozen, SLOT, () => ({ made: ++made }))).toBe(first);
    expect(made).toBe(1);
    expect(Object.getOwnPropertySymbols(frozen)).toEqual([]);
  });
});

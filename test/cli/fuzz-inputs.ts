// What the standing fuzz test (fuzz.test.ts) feeds nxtsim: its own valid inputs (shipped
// scenarios, a repro, a result file) with one place replaced by something hostile, broken
// JSON text, and argument lists from a vocabulary of commands, flags and values. fast-check
// arbitraries, so that a failure shrinks and replays from the seed printed.

import fc from "fast-check";

import type { Json } from "../../lifecycle/kernel.ts";

/**
 * Deep nesting stands in the generated value as a marker string, made text only when the file
 * is written (toText): thousands of levels would overflow the stack of anything that walks a
 * value recursively (structuredClone, fast-check's printing of a counterexample).
 */
const deepMarker = (depth: number, inObjects: boolean): string => `@deep:${depth}:${inObjects ? "o" : "a"}@`;

/** The file text of a generated value, its deep-nesting markers made nesting. */
export function toText(v: Json): string {
  return (JSON.stringify(v) ?? "").replace(/"@deep:(\d+):([oa])@"/g, (_m, d: string, kind: string) =>
    kind === "o" ? `${'{"a":'.repeat(Number(d))}1${"}".repeat(Number(d))}` : `${"[".repeat(Number(d))}1${"]".repeat(Number(d))}`,
  );
}

/** Values a careless or hostile file may hold where a valid one holds something else. */
export const hostileValue: fc.Arbitrary<Json | undefined> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, weight: 6 },
  { arbitrary: fc.constantFrom<Json | undefined>(undefined, null, -1, 0, 1, 3.7, -5, 1e308, -1e308, 2 ** 53, 2 ** 31, 3000, "", "x", "SIGKILL", "app", "main", [], {}, true, false), weight: 6 },
  { arbitrary: fc.record({ max: fc.integer({ min: -5, max: 5000 }), spare: fc.integer({ min: -5, max: 5000 }) }) as fc.Arbitrary<Json>, weight: 1 },
  { arbitrary: fc.tuple(fc.integer({ min: 50, max: 6000 }), fc.boolean()).map(([d, o]) => deepMarker(d, o)), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 2000 }).map((n) => Array.from({ length: n }, () => ({ at: 0, do: "signal", target: { role: "main" }, signal: "SIGTERM" })) as Json), weight: 1 },
);

type Path = (string | number)[];

/** Every place in a JSON value (the root excluded), in document order. */
export function pathsOf(v: unknown, at: Path = []): Path[] {
  if (typeof v !== "object" || v === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...at, k], ...pathsOf(x, [...at, k])]);
}

/** A copy of `v` with the value at `path` replaced (undefined: removed). */
export function replaceAt(v: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(v) as Record<string | number, Json>;
  let parent: Record<string | number, Json> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
  return copy as Json;
}

/** One of `bases` with one place replaced by a hostile value, or a key added at one place. */
export function mutated(bases: readonly Json[]): fc.Arbitrary<Json> {
  return fc.tuple(fc.nat(bases.length - 1), fc.nat(), hostileValue, fc.nat(9)).map(([b, p, value, one]) => {
    const addKey = one === 0;
    const base = bases[b]!;
    const paths = pathsOf(base);
    if (paths.length === 0) return base;
    const path = paths[p % paths.length]!;
    return addKey ? replaceAt(base, [...path.slice(0, -1), "zz"], value ?? null) : replaceAt(base, path, value);
  });
}

/** One of `bases` with one number or string in it changed to a plausible one: runs, mostly. */
export function tweaked(bases: readonly Json[]): fc.Arbitrary<Json> {
  const plausible = fc.oneof(fc.integer({ min: -2, max: 300 }), fc.constantFrom<Json>("SIGKILL", "SIGTERM", "SIGQUIT", "main", "router", "controller", "app", "prototype", "a", "b", "nobody", "root"));
  return fc.tuple(fc.nat(bases.length - 1), fc.nat(), plausible).map(([b, p, value]) => {
    const base = bases[b]!;
    const leaves = pathsOf(base).filter((path) => {
      const leaf = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], base);
      return typeof leaf === "number" || typeof leaf === "string";
    });
    return leaves.length === 0 ? base : replaceAt(base, leaves[p % leaves.length]!, value);
  });
}

/** The text of a file: mostly JSON, sometimes cut short or with a stray character. */
export function fileText(json: fc.Arbitrary<Json>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: json.map(toText), weight: 8 },
    { arbitrary: fc.tuple(json, fc.nat()).map(([j, n]) => { const t = toText(j); return t.slice(0, n % (t.length + 1)); }), weight: 1 },
    { arbitrary: fc.tuple(json, fc.nat(), fc.constantFrom(",", "}", "]", "\"", "\u0000", "\n", "garbage")).map(([j, n, c]) => { const t = toText(j); const i = n % (t.length + 1); return t.slice(0, i) + c + t.slice(i); }), weight: 1 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  );
}

/**
 * Argument lists: a command, then words from a vocabulary of its flags and of values, good and
 * bad. Left out: what writes files into the working directory (--json, --summary-md, --out,
 * shrink), what starts processes or threads (--shrink, --workers, --backend real), and what
 * runs for long on purpose (--strategy exhaustive); explore always gets a small --runs first,
 * which a later --runs replaces.
 */
export function argvArbitrary(files: { scenario: string; broken: string; repro: string; result: string }): fc.Arbitrary<string[]> {
  const commands = ["explore", "replay", "trace", "check", "merge", "scenarios", "explor", "", "--help", "-V"];
  const flags = ["--runs", "--time", "--run-time", "--seed", "--fix", "--mutant", "--faults", "--max-steps", "--strategy", "--pct-depth", "--pct-steps", "--preemptions", "--shard", "--no-progress", "--fail-on", "--scenario", "--repro", "--path", "--trace", "--format", "--max-events", "--from", "--to", "--pid", "--bug", "--limit", "--check", "--zzz", "-x"];
  const values = ["0", "1", "2", "3", "-1", "0.5", "1e9", "abc", "", " ", "1/2", "3/2", "0/0", "{}", "[]", '{"cloneFail":0.01}', '{"cloneFail":2}', '{"nope":1}', "none", "random", "swarm", "pct", "new", "any", "text", "mermaid", "jsonl", "chrome", "633", "600", "nope", "boot-only", "two-apps", "no-such", "depth=2", "processes=1", "file-size=10", "x=1", "3:1:0", files.scenario, files.broken, files.repro, files.result, "/nonexistent/x.json", "/dev/null"];
  const word = fc.oneof({ arbitrary: fc.constantFrom(...flags), weight: 3 }, { arbitrary: fc.constantFrom(...values), weight: 3 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 });
  return fc.tuple(fc.constantFrom(...commands), fc.array(word, { maxLength: 7 })).map(([command, rest]) => {
    const head = command === "" ? [] : [command];
    return command === "explore" ? [...head, "--runs", "1", ...rest] : [...head, ...rest];
  });
}

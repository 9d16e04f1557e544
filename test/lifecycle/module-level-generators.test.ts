// Every generator function the model and the simulator run is created once, when its module
// loads (a top-level declaration, or a method of a top-level class or object). A generator
// function created per call (a `function*` expression or declaration inside a function) gives
// its generators a fresh hidden class whose constructor is that closure; V8's young-generation
// GC keeps such a class, and through the closure's context the whole run, alive until the
// next full GC. One such closure in the model of nxt_clone_credential_map made every run of an
// isolated application about 3x slower.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT as ROOT, tsFilesUnder } from "../source-files.ts";

/** Created once, when the module loads: no function encloses it. */
function isModuleLevel(node: ts.Node): boolean {
  for (let p = node.parent; p !== undefined; p = p.parent) if (ts.isFunctionLike(p)) return false;
  return true;
}

/** Generator functions in `source` that are not declared at module level ("file:line: text"). */
function nestedGenerators(name: string, source: string): string[] {
  const sf = ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    const generator =
      (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) &&
      node.asteriskToken !== undefined;
    if (generator && !isModuleLevel(node)) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
      out.push(`${name}:${line + 1}: ${node.getText().split("\n")[0]!.slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("generator functions are declared at module level", () => {
  it("lifecycle/ and sim/ create no generator function per call", () => {
    const files = [...tsFilesUnder("lifecycle"), ...tsFilesUnder("sim")];
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((f) => nestedGenerators(f, readFileSync(join(ROOT, f), "utf8")));
    expect(found).toEqual([]);
  });

  it("catches a generator function expression and a nested declaration", () => {
    const source = [
      "export function* outer(n: number) {",
      "  const step = function* () { yield n; };",
      "  function* inner() { yield n; }",
      "  yield* step();",
      "  yield* inner();",
      "}",
      "class K { *ok() { yield 1; } }",
      "const table = { *alsoOk() { yield 2; } };",
      "const once = function* () { yield 3; };",
      "export function make() { return { *perCall() { yield 4; } }; }",
    ].join("\n");
    expect(nestedGenerators("planted.ts", source)).toEqual([
      "planted.ts:2: function* () { yield n; }",
      "planted.ts:3: function* inner() { yield n; }",
      "planted.ts:10: *perCall() { yield 4; }",
    ]);
  });
});

// The properties state Unit's rules from Unit (properties/unit-rules.ts), never from the
// model: a check that reads a table of lifecycle/ moves with it when the table is wrong. The
// rule, read off the import statements (verbatimModuleSyntax makes every type-only import say so):
//  1. no file under properties/ imports a value from lifecycle/ (`import type`, `{ type X }`
//     and `typeof import(..)` are types: the trace's shapes, not Unit's rules);
//  2. the checks (properties/index.ts, properties/examples/) reach by value imports only files
//     under properties/ and packages, so no model value reaches them through harness/ or sim/.

import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT as ROOT, tsFilesUnder } from "../source-files.ts";

const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, Record<string, string>>;
const PACKAGES = new Set(Object.keys({ ...PACKAGE["dependencies"], ...PACKAGE["devDependencies"] }));

/** A repository file's text; a test plants altered files in `planted` (by repo-relative path). */
type Sources = (file: string) => string;

function repoSources(planted: Readonly<Record<string, string>> = {}): Sources {
  return (file) => planted[file] ?? readFileSync(join(ROOT, file), "utf8");
}

interface ValueImport {
  /** Repo-relative path of the imported file, or the package's specifier. */
  target: string;
  where: string;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (clause === undefined) return false; // `import "x"` runs the module
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.exportClause;
  return node.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((e) => e.isTypeOnly));
}

/** The imports of one file that bring values: static imports, re-exports, dynamic import(). */
function valueImports(file: string, source: string): ValueImport[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const out: ValueImport[] = [];
  const add = (node: ts.Node, spec: string) => {
    const target = spec.startsWith(".") ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : spec;
    out.push({ target, where: `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}` });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnly(node)) add(node, node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      add(node, arg !== undefined && ts.isStringLiteral(arg) ? arg.text : "(a computed module name)");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Rule 1: value imports from lifecycle/ in `files` ("file:line -> target"). */
function modelValueImports(files: readonly string[], read: Sources): string[] {
  return files.flatMap((f) => valueImports(f, read(f)).filter((i) => i.target.startsWith("lifecycle/")).map((i) => `${i.where} -> ${i.target}`));
}

function isPackage(target: string): boolean {
  if (target.startsWith("node:")) return true;
  const name = target.startsWith("@") ? target.split("/").slice(0, 2).join("/") : target.split("/")[0]!;
  return PACKAGES.has(name);
}

/** Rule 2: every value import reachable from `entries` that leaves properties/ ("file:line -> target"). */
function escapesFromChecks(entries: readonly string[], read: Sources): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of valueImports(file, read(file))) {
      if (i.target.startsWith("properties/")) queue.push(i.target);
      else if (!isPackage(i.target)) out.push(`${i.where} -> ${i.target}`);
    }
  }
  if (seen.size < entries.length + 5) throw new Error(`only ${seen.size} files reached: the walk did not follow the imports`);
  return out;
}

const PROPERTIES = tsFilesUnder("properties");
const CHECK_ENTRIES = ["properties/index.ts", ...tsFilesUnder("properties/examples")];
const MATRICES = "properties/checks/matrices.ts";

/** matrices.ts with one more import line put in after its first. */
function plantedInMatrices(line: string): Sources {
  const source = readFileSync(join(ROOT, MATRICES), "utf8");
  const at = source.indexOf("\nimport ");
  return repoSources({ [MATRICES]: `${source.slice(0, at)}\n${line}${source.slice(at)}` });
}

describe("the properties take Unit's rules from properties/unit-rules.ts, never from the model", () => {
  it("no file under properties/ imports a value from lifecycle/", () => {
    expect(PROPERTIES.length).toBeGreaterThan(10);
    expect(modelValueImports(PROPERTIES, repoSources())).toEqual([]);
  });

  it("the checks reach by value no file outside properties/", () => {
    expect(escapesFromChecks(CHECK_ENTRIES, repoSources())).toEqual([]);
  });

  it("catches a planted value import of the model's table, a re-export and a dynamic import", () => {
    const table = plantedInMatrices('import { nxtProcSendMatrix } from "../../lifecycle/matrices.ts";');
    expect(modelValueImports(PROPERTIES, table)).toEqual([`${MATRICES}:5 -> lifecycle/matrices.ts`]);
    expect(escapesFromChecks(CHECK_ENTRIES, table)).toEqual([`${MATRICES}:5 -> lifecycle/matrices.ts`]);
    const reexport = plantedInMatrices('export { MSG_TYPE_NAMES } from "../../lifecycle/port-messages.ts";');
    expect(modelValueImports(PROPERTIES, reexport)).toEqual([`${MATRICES}:5 -> lifecycle/port-messages.ts`]);
    const dynamic = plantedInMatrices('const codes = await import("../../lifecycle/port-messages.ts");');
    expect(modelValueImports(PROPERTIES, dynamic)).toEqual([`${MATRICES}:5 -> lifecycle/port-messages.ts`]);
  });

  it("catches a model value that comes in through another folder (harness/)", () => {
    const laundered = plantedInMatrices('import { simRunView } from "../../harness/run-view.ts";');
    expect(modelValueImports(PROPERTIES, laundered)).toEqual([]);
    expect(escapesFromChecks(CHECK_ENTRIES, laundered)).toEqual([`${MATRICES}:5 -> harness/run-view.ts`]);
  });

  it("lets types through: import type, { type X }, typeof import()", () => {
    const types = plantedInMatrices(
      'import type { ProcMatrix } from "../../lifecycle/matrices.ts";\nimport { type PortMsg } from "../../lifecycle/state.ts";\ntype M = typeof import("../../lifecycle/matrices.ts");',
    );
    expect(modelValueImports(PROPERTIES, types)).toEqual([]);
    expect(escapesFromChecks(CHECK_ENTRIES, types)).toEqual([]);
  });
});

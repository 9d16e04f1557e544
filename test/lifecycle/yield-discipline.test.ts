// A model function that may reach a scheduling point returns `Sys<T>` (a generator); calling
// it without `yield*` builds the generator and drops it, so its calls never happen, silently.
// TypeScript does not flag an unused generator, so this test does: with the type checker,
// every call in lifecycle/ whose type is a Sys must be the operand of `yield*`, or be handed
// on unchanged (returned) by a function that itself returns a Sys.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const LIFECYCLE = join(ROOT, "lifecycle");

function isSysType(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.symbol?.name !== "Generator") return false;
  const first = checker.getTypeArguments(type as ts.TypeReference)[0];
  return first?.symbol?.name === "SchedPoint";
}

/** The function a node is directly inside. */
function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let p = node.parent; p !== undefined; p = p.parent) if (ts.isFunctionLike(p)) return p;
  return undefined;
}

function returnsSys(checker: ts.TypeChecker, fn: ts.SignatureDeclaration): boolean {
  const signature = checker.getSignatureFromDeclaration(fn);
  return signature !== undefined && isSysType(checker, checker.getReturnTypeOfSignature(signature));
}

function consumed(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  // Parentheses and a type assertion (`return f() as Sys<void>`) leave the generator as it is.
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isYieldExpression(parent) && parent.asteriskToken !== undefined) return true;
  const handedOn = ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node);
  const fn = enclosingFunction(call);
  return handedOn && fn !== undefined && returnsSys(checker, fn);
}

/** Every Sys call in `files` that is neither run with yield* nor handed on ("file:line: call"), and how many Sys calls there are. */
function sysCalls(files: readonly string[], host?: ts.CompilerHost): { dropped: string[]; seen: number } {
  const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true, allowImportingTsExtensions: true, noEmit: true }, host);
  const checker = program.getTypeChecker();
  const out: string[] = [];
  let seen = 0;
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (sf === undefined) throw new Error(`not compiled: ${file}`);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && isSysType(checker, checker.getTypeAtLocation(node)) && seen++ >= 0 && !consumed(checker, node)) {
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
        out.push(`${file.slice(ROOT.length + 1)}:${line + 1}: ${node.getText().slice(0, 80)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { dropped: out, seen };
}

describe("every scheduling point of the model is driven (yield*)", () => {
  it("no call in lifecycle/ builds a Sys generator and drops it", () => {
    const files = readdirSync(LIFECYCLE)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(LIFECYCLE, f));
    const { dropped, seen } = sysCalls(files);
    expect(dropped).toEqual([]);
    // The types resolved: the model makes well over a hundred such calls.
    expect(seen).toBeGreaterThan(100);
  }, 60_000);

  it("catches a forgotten yield* (a model file with one put in)", () => {
    const file = join(LIFECYCLE, "forgotten-yield.ts");
    const source = [
      'import type { Ctx } from "./context.ts";',
      'import type { Sys } from "./kernel.ts";',
      "export function* sendsTwice(ctx: Ctx, fd: number): Sys<void> {",
      "  yield* ctx.k.sendmsg(fd, { data: 1, fds: [] });",
      "  ctx.k.sendmsg(fd, { data: 2, fds: [] });",
      "}",
      "export function* handsOn(ctx: Ctx, fd: number): Sys<unknown> {",
      "  return ctx.k.recvmsg(fd);",
      "}",
    ].join("\n");
    const base = ts.createCompilerHost({});
    const host: ts.CompilerHost = {
      ...base,
      getSourceFile: (name, version) =>
        name === file ? ts.createSourceFile(name, source, version, true) : base.getSourceFile(name, version),
      fileExists: (name) => name === file || base.fileExists(name),
    };
    expect(sysCalls([file], host).dropped).toEqual(["lifecycle/forgotten-yield.ts:5: ctx.k.sendmsg(fd, { data: 2, fds: [] })"]);
  }, 60_000);
});

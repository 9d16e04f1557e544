// The rules the properties state (properties/unit-rules.ts) against Unit's own text: the three
// matrices cell by cell against the C initialisers in the seed of src/nxt_process.c at
// c8d9106a; the process type order and the port message codes against the reference
// (unit-lifecycle.md, sections 1.1 and 3.3), and, when NXTSIM_UNIT_SRC names a checkout of
// Unit at c8d9106a, against src/nxt_process_type.h and src/nxt_port.h themselves. Unit's text
// is read from shared/ (NXTSIM_SHARED, beside the repository, or /work/shared), never copied
// into it; where none of these has it, the tests that need it are skipped, saying so.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nxtProcKeepMatrix, nxtProcRemoveNotifyMatrix, nxtProcSendMatrix } from "../../lifecycle/matrices.ts";
import { loadUnitHistory } from "../../catalog/unit-history.ts";
import { UNIT_VERSIONS } from "../../lifecycle/options.ts";
import { msgTypeNamesWith } from "../../lifecycle/port-messages.ts";
import { UNIT_1_35_PORT_MSG_TYPES, UNIT_MATRICES, UNIT_PORT_MSG_TYPES, UNIT_PROCESS_TYPES, type UnitMatrix } from "../../properties/unit-rules.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SHARED_PLACES = [process.env["NXTSIM_SHARED"], join(ROOT, "..", "shared"), "/work/shared"].filter((p): p is string => p !== undefined);
const SHARED = SHARED_PLACES.find((p) => existsSync(join(p, "seeds", "000_5d3db35221f5f586.txt"))) ?? SHARED_PLACES[0]!;
const HAVE_SHARED = existsSync(join(SHARED, "seeds", "000_5d3db35221f5f586.txt"));
if (!HAVE_SHARED) console.warn(`SKIPPED: Unit's text (shared/seeds) is in none of ${SHARED_PLACES.join(", ")}; set NXTSIM_SHARED`);
const SEED = join(SHARED, "seeds", "000_5d3db35221f5f586.txt");
const REFERENCE = join(SHARED, "reference", "unit-lifecycle.md");
const UNIT_SRC = process.env["NXTSIM_UNIT_SRC"];

function readShared(path: string): string {
  if (!existsSync(path)) throw new Error(`Unit's text is not at ${path} (shared/ beside the repository, or set NXTSIM_SHARED)`);
  return readFileSync(path, "utf8");
}

/** The seed's C text: its first line names the file, every other line starts with its number. */
function seedSource(seed: string): string {
  return seed
    .split("\n")
    .slice(1)
    .map((l) => l.replace(/^\d+ ?/, ""))
    .join("\n");
}

/** Every `uint8_t name[..][..] = { {..}, .. };` initialiser of a C text, by name. */
function cMatrices(source: string): Map<string, number[][]> {
  const out = new Map<string, number[][]>();
  for (const m of source.matchAll(/uint8_t\s+(\w+)\s*\[\w+\]\s*\[\w+\]\s*=\s*\{([^;]*)\}\s*;/g)) {
    const rows = [...m[2]!.matchAll(/\{([^{}]*)\}/g)].map((r) => r[1]!.split(",").map((x) => Number(x.trim())));
    out.set(m[1]!, rows);
  }
  return out;
}

/** Cells where two matrices differ ("[row][col] a != b"), shape differences included. */
function matrixDiffs(ours: UnitMatrix, theirs: readonly (readonly number[])[]): string[] {
  const out: string[] = [];
  if (ours.length !== theirs.length) out.push(`${ours.length} rows != ${theirs.length}`);
  theirs.forEach((row, i) => {
    if (ours[i]?.length !== row.length) out.push(`row ${i}: ${ours[i]?.length} columns != ${row.length}`);
    row.forEach((x, j) => {
      if (ours[i]?.[j] !== x) out.push(`[${i}][${j}] ${ours[i]?.[j]} != ${x}`);
    });
  });
  return out;
}

/** Positions where two name lists differ, and a length difference. */
function listDiffs(ours: readonly string[], theirs: readonly string[]): string[] {
  const out = theirs.flatMap((name, i) => (ours[i] === name ? [] : [`${i}: ${ours[i]} != ${name}`]));
  return ours.length === theirs.length ? out : [...out, `length ${ours.length} != ${theirs.length}`];
}

/** The markdown table rows after `heading` in the reference: "| a | b | ..." as cells. */
function tableAfter(text: string, heading: string): string[][] {
  const lines = text.slice(text.indexOf(heading)).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines
    .slice(start + 2, end)
    .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
}

/** Reference 1.1: `| idx | type | ...` gives each process type's number. */
function referenceProcessTypes(reference: string): string[] {
  const out: string[] = [];
  for (const [idx, type] of tableAfter(reference, "### 1.1 Type enum")) out[Number(idx)] = type!;
  return out;
}

/**
 * Reference 3.3: `| idx | type | ...` where idx is `n` or `n..m` and type names the types
 * of that range, separated by commas (a suffix such as `(+SYNC)` is a note).
 */
function referenceMsgTypes(reference: string): string[] {
  const out: string[] = [];
  for (const [idx, types] of tableAfter(reference, "Message types (raw index")) {
    const [from, to = from] = idx!.split("..").map(Number);
    const names = types!.split(",").map((t) => t.trim().replace(/\(.*\)$/, ""));
    if (names.length !== to! - from! + 1) throw new Error(`reference row ${idx}: ${names.length} names`);
    names.forEach((n, k) => (out[from! + k] = n));
  }
  return out;
}

/** src/nxt_port.h: the `_NXT_PORT_MSG_X = nxt_port_handler_idx(field)` names in field order. */
function portHeaderMsgTypes(header: string): string[] {
  const struct = /struct nxt_port_handlers_s\s*\{([^}]*)\}/.exec(header)![1]!;
  const fields = [...struct.matchAll(/nxt_port_handler_t\s+(\w+)\s*;/g)].map((m) => m[1]!);
  const nameOf = new Map([...header.matchAll(/_NXT_PORT_MSG_(\w+)\s*=\s*nxt_port_handler_idx\((\w+)\)/g)].map((m) => [m[2]!, m[1]!]));
  return fields.map((f) => nameOf.get(f) ?? `(no enum name for ${f})`);
}

/** src/nxt_process_type.h: NXT_PROCESS_X in enum order, up to NXT_PROCESS_MAX. */
function processTypeHeader(header: string): string[] {
  const names = [...header.matchAll(/\bNXT_PROCESS_(\w+)\s*(?:=\s*0\s*)?,/g)].map((m) => m[1]!);
  return names.slice(0, names.indexOf("MAX"));
}

describe.skipIf(!HAVE_SHARED)("the properties' matrices are the seed's, cell by cell", () => {
  const seed = cMatrices(seedSource(readShared(SEED)));

  it.each(Object.keys(UNIT_MATRICES))("%s", (name) => {
    const theirs = seed.get(name);
    expect(theirs, `${name} in the seed`).toBeDefined();
    expect(theirs!.flat().length).toBe(UNIT_PROCESS_TYPES.length ** 2);
    expect(matrixDiffs(UNIT_MATRICES[name as keyof typeof UNIT_MATRICES], theirs!)).toEqual([]);
  });

  it("a table one cell off is told apart (the comparison can fail)", () => {
    const theirs = seed.get("nxt_proc_send_matrix")!;
    const off = UNIT_MATRICES.nxt_proc_send_matrix.map((r, i) => r.map((x, j) => (i === 2 && j === 4 ? ((1 - x) as 0 | 1) : x)));
    expect(matrixDiffs(off, theirs)).toEqual(["[2][4] 1 != 0"]);
    expect(matrixDiffs(UNIT_MATRICES.nxt_proc_keep_matrix, theirs)).not.toEqual([]);
  });

  // Not the properties' concern, but the same text settles it: the model's own tables are
  // Unit's too (its mutants swap in other tables; these constants stay Unit's).
  it("the model's tables in lifecycle/matrices.ts are the seed's as well", () => {
    expect(matrixDiffs(nxtProcKeepMatrix, seed.get("nxt_proc_keep_matrix")!)).toEqual([]);
    expect(matrixDiffs(nxtProcSendMatrix, seed.get("nxt_proc_send_matrix")!)).toEqual([]);
    expect(matrixDiffs(nxtProcRemoveNotifyMatrix, seed.get("nxt_proc_remove_notify_matrix")!)).toEqual([]);
  });
});

describe.skipIf(!HAVE_SHARED)("process types and port message codes are Unit's", () => {
  const reference = readShared(REFERENCE);

  it("process types in nxt_process_type_t order (reference 1.1)", () => {
    expect(listDiffs(UNIT_PROCESS_TYPES, referenceProcessTypes(reference))).toEqual([]);
  });

  it("message codes in nxt_port_handlers_t order (reference 3.3), NXT_PORT_MSG_MAX as the dispatch's bound", () => {
    expect(listDiffs(UNIT_PORT_MSG_TYPES, referenceMsgTypes(reference))).toEqual([]);
    const bound = /if type < (\d+) call `handlers\[type\]`/.exec(reference);
    expect(Number(bound?.[1])).toBe(UNIT_PORT_MSG_TYPES.length);
  });

  it("two codes swapped are told apart (the comparison can fail)", () => {
    const swapped = [...UNIT_PORT_MSG_TYPES];
    [swapped[10], swapped[18]] = [swapped[18]!, swapped[10]!];
    expect(listDiffs(swapped, referenceMsgTypes(reference))).toEqual(["10: REMOVE_PID != NEW_PORT", "18: NEW_PORT != REMOVE_PID"]);
  });

  it.runIf(UNIT_SRC !== undefined)("against Unit's headers in NXTSIM_UNIT_SRC (src/nxt_port.h, src/nxt_process_type.h)", () => {
    const header = (f: string) => readFileSync(join(UNIT_SRC!, "src", f), "utf8");
    expect(listDiffs(UNIT_PORT_MSG_TYPES, portHeaderMsgTypes(header("nxt_port.h")))).toEqual([]);
    expect(listDiffs(UNIT_PROCESS_TYPES, processTypeHeader(header("nxt_process_type.h")))).toEqual([]);
  });
});

// Unit 1.35's codes: c8d9106a's order (checked above against Unit's text) with the types the
// research found inserted (fixtures/unit-history, written from src/nxt_port.h at each commit),
// its stated final codes, and the model's own 1.35 table (lifecycle/port-messages.ts) equal to
// the checks' copy, as the model's matrices are to the seed's.
describe("Unit 1.35's port message codes", () => {
  const history = loadUnitHistory();
  const renumberings = history.filter((e) => e.introduces?.includes("port-msg-renumbering"));

  /** "X inserted after Y" and "X and Z inserted after Y" of a renumbering commit's change text. */
  function insertions(change: string): { names: string[]; after: string } {
    const m = /NXT_PORT_MSG_(\w+)(?: and (\w+))? inserted after (\w+)/.exec(change);
    if (m === null) throw new Error(`no insertion in: ${change}`);
    return { names: [m[1]!, ...(m[2] === undefined ? [] : [m[2]])], after: m[3]! };
  }

  it("c8d9106a's list with the history's insertions, in commit order, is the checks' 1.35 list", () => {
    expect(renumberings.map((e) => e.commit.slice(0, 8))).toEqual(["ce26dd72", "2e3e1c7e", "a3c3a294"]);
    const names: string[] = [...UNIT_PORT_MSG_TYPES];
    for (const e of renumberings) {
      const { names: inserted, after } = insertions(e.change!);
      names.splice(names.indexOf(after) + 1, 0, ...inserted);
    }
    expect(listDiffs(UNIT_1_35_PORT_MSG_TYPES, names)).toEqual([]);
  });

  it("the final codes the history states (a3c3a294) are the list's positions", () => {
    const change = renumberings.at(-1)!.change!;
    const stated = [...change.slice(change.indexOf("final 1.35 codes:")).matchAll(/([A-Z_]+) (\d+)/g)];
    expect(stated.length).toBeGreaterThanOrEqual(6);
    for (const [, name, code] of stated) expect(`${name} ${UNIT_1_35_PORT_MSG_TYPES.indexOf(name as never)}`).toBe(`${name} ${code}`);
  });

  it("the model's 1.35 table is the checks' (and a table one insertion short is told apart)", () => {
    expect(listDiffs(msgTypeNamesWith(UNIT_VERSIONS["1.35"]), UNIT_1_35_PORT_MSG_TYPES)).toEqual([]);
    expect(listDiffs(msgTypeNamesWith(["ce26dd72", "2e3e1c7e"]), UNIT_1_35_PORT_MSG_TYPES)).not.toEqual([]);
    expect(listDiffs(msgTypeNamesWith([]), UNIT_PORT_MSG_TYPES)).toEqual([]);
  });

  it.runIf(process.env["NXTSIM_UNIT_SRC_1_35"] !== undefined)("against src/nxt_port.h of a Unit 1.35 checkout in NXTSIM_UNIT_SRC_1_35", () => {
    const header = readFileSync(join(process.env["NXTSIM_UNIT_SRC_1_35"]!, "src", "nxt_port.h"), "utf8");
    expect(listDiffs(UNIT_1_35_PORT_MSG_TYPES, portHeaderMsgTypes(header))).toEqual([]);
  });
});

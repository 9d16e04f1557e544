// A run as a plain-text timeline: one line per event (plain syscalls and table bookkeeping left out), a column per
// process with a "|" lane while it lives, and the event written in its actor's column. A
// column is reused once its process has exited; the header row is printed again then.
// Lines stay within WIDTH columns where they can: a long text wraps under its column.

import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { PictureProcess } from "./processes.ts";
import { describeWindow, inWindow, isWholeRun, WHOLE_RUN, type TraceWindow } from "../trace-window.ts";
import { sceneOf, type SceneEvent } from "./scene.ts";

const WIDTH = 160;
/** Room for text right of the last column; text is never wrapped narrower than this. */
const MIN_TEXT = 30;
const PREFIX = 18; // "step" 5, "t/ms" 8, mark 3, two spaces

interface Column {
  /** Its occupants, oldest first, with the trace index range each one holds it for. */
  holders: { process: PictureProcess; from: number; to: number }[];
}

/** Columns for the processes: each takes the lowest column whose last holder has exited. */
function assignColumns(processes: readonly PictureProcess[], end: number): { columns: Column[]; columnOf: Map<number, number> } {
  const columns: Column[] = [];
  const columnOf = new Map<number, number>();
  for (const p of [...processes].sort((a, b) => a.first - b.first)) {
    let c = columns.findIndex((col) => col.holders.at(-1)!.to < p.first);
    if (c < 0) c = columns.push({ holders: [] }) - 1;
    columns[c]!.holders.push({ process: p, from: p.first, to: p.exit === null ? end : Math.max(p.exit, p.last) });
    columnOf.set(p.pid, c);
  }
  return { columns, columnOf };
}

function holderAt(column: Column, index: number): PictureProcess | null {
  return column.holders.find((h) => h.from <= index && index <= h.to)?.process ?? null;
}

/** The next holder of a column at `index`: the live one, else the next to come, else the last. */
function labelAt(column: Column, index: number): string {
  const h = column.holders.find((x) => index <= x.to) ?? column.holders.at(-1)!;
  return h.process.label;
}

/** Splits text into pieces of at most `width` characters, at spaces where possible. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(" ", width);
    const cut = space > width / 2 ? space : width;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

/** The timeline of a run, or of a window on it (the lanes and labels still come from the whole run). */
export function renderText(trace: readonly TraceEvent[], window: TraceWindow = WHOLE_RUN): string {
  const scene = sceneOf(trace);
  const shown = scene.events.filter((e) => e.tier !== "fine" && inWindow(window, e.event));
  const { columns, columnOf } = assignColumns(scene.processes, trace.length);
  // Wide enough for the labels, narrow enough for the last column's text to fit in WIDTH, at least 8.
  const fit = Math.floor((WIDTH - PREFIX - MIN_TEXT) / Math.max(1, columns.length - 1));
  const width = Math.max(8, Math.min(20, fit, Math.max(...scene.processes.map((p) => p.label.length + 2))));
  const cell = (s: string): string => (s.length >= width ? `${s.slice(0, width - 2)}~ ` : s.padEnd(width));

  const lanes = (index: number): string[] => columns.map((c) => (holderAt(c, index) === null ? " " : "|"));
  const row = (prefix: string, marks: string[], col: number | null, text: string): string => {
    let line = prefix;
    for (let c = 0; c < marks.length; c++) {
      if (c === col) {
        line += text;
        // Lanes to the right resume at the first column start the text leaves free.
        while (c + 1 < marks.length && PREFIX + (c + 1) * width <= line.length) c++;
        line = line.padEnd(PREFIX + (c + 1) * width);
      } else {
        line += cell(marks[c]!);
      }
    }
    return line.trimEnd();
  };
  const header = (index: number, again: boolean): string =>
    row(`${"step".padStart(5)} ${"t/ms".padStart(7)} ${again ? "> " : "  "} `, columns.map((c) => labelAt(c, index)), null, "");

  // A window starts with the columns' holders at its first event.
  const start = isWholeRun(window) ? 0 : (shown[0]?.index ?? 0);
  const out: string[] = [header(start, false)];
  // Trace indexes at which a column changes hands: the header is printed again there.
  const handovers = columns.flatMap((c) => c.holders.slice(1).map((h) => h.from)).sort((a, b) => a - b);
  let nextHandover = start === 0 ? 0 : handovers.filter((h) => h <= start).length;
  for (const e of shown) {
    let again = false;
    while (nextHandover < handovers.length && handovers[nextHandover]! <= e.index) {
      nextHandover++;
      again = true;
    }
    if (again) out.push(header(e.index, true));
    out.push(...eventRows(e, columnOf.get(e.event.pid)!, lanes(e.index), width, row));
  }
  const within = isWholeRun(window) ? "" : ` in the window (${describeWindow(window)})`;
  out.push(`(${trace.length} events, ${shown.length} shown${within}: plain syscalls and table bookkeeping are left out; --format jsonl has them all)`);
  return out.join("\n") + "\n";
}

function eventRows(
  e: SceneEvent,
  col: number,
  marks: string[],
  width: number,
  row: (prefix: string, marks: string[], col: number | null, text: string) => string,
): string[] {
  const room = Math.max(MIN_TEXT, WIDTH - PREFIX - col * width);
  const pieces = wrap(e.loud ? `*** ${e.text} ***` : e.text, room);
  const first = `${String(e.event.step).padStart(5)} ${String(e.event.t).padStart(7)} ${e.loud ? "!!" : "  "} `;
  const blank = " ".repeat(PREFIX);
  return pieces.map((p, i) => row(i === 0 ? first : blank, marks, col, p));
}

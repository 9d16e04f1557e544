// A run as a Mermaid sequence diagram, for a GitHub issue or pull-request comment: a
// participant per process ("main 100"), each datagram an arrow from sender to reader drawn
// when it is read (a datagram never read, or a send that failed, is a crossed arrow "-x" at
// the send), and handshake steps, forks, signals, deaths, faults and harness actions as notes
// (a process's notes of one step share one note); crashes stand in a red box.
//
// Mermaid (and so GitHub) refuses a diagram longer than 50,000 characters, so a long run is
// cut after `maxItems` arrows and notes or before that size, and says so in a last note.

import type { TraceEvent } from "../../lifecycle/trace.ts";
import { messageLabel } from "./describe.ts";
import { HARNESS_PID } from "./processes.ts";
import { sceneOf, type SceneEvent } from "./scene.ts";

export const DEFAULT_MAX_ITEMS = 400;
/** Mermaid's default maxTextSize: a longer diagram is not drawn at all. */
export const MERMAID_MAX_TEXT = 50_000;

export interface MermaidOptions {
  /** At most this many arrows and notes (default DEFAULT_MAX_ITEMS). */
  maxItems?: number;
}

/**
 * Text safe inside a Mermaid label: ";" ends a statement, "#" starts an entity code, "%%" a
 * comment, and quotes, angle brackets, "&" and braces are taken as markup; each becomes an
 * entity code (#59; ...), which Mermaid turns back into the character. Line breaks become spaces.
 */
export function mermaidText(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[#;<>"%&{}]/g, (c) => `#${c.charCodeAt(0)};`);
}

function participantId(pid: number): string {
  return pid === HARNESS_PID ? "nxtsim" : `p${pid}`;
}

/** One statement of the diagram (a note may gather several events of one process and step). */
interface Item {
  lines: string[];
  /** The actor and step of a note that later events of the same actor and step can join. */
  joinable: { pid: number; step: number; texts: string[]; loud: boolean } | null;
}

function noteItem(pid: number, step: number, texts: string[], loud: boolean): Item {
  // One line per event: "<br/>" is Mermaid's line break, the only markup let through.
  const note = `    Note over ${participantId(pid)}: ${[`[${step}] ${texts[0]}`, ...texts.slice(1)].map(mermaidText).join("<br/>")}`;
  return { lines: loud ? ["    rect rgb(255, 205, 205)", `    ${note}`, "    end"] : [note], joinable: { pid, step, texts, loud } };
}

function arrowItem(e: SceneEvent, trace: readonly TraceEvent[]): Item | null {
  const m = e.message!;
  const label = messageLabel(m.msg);
  const d = m.delivery;
  const from = participantId(m.from);
  if (e.event.kind === "recv") {
    return { lines: [`    ${from}->>${participantId(e.event.pid)}: ${mermaidText(`[${e.event.step}] ${label} (sent ${trace[m.send]!.step})`)}`], joinable: null };
  }
  if (d.kind === "delivered") return null; // drawn at its recv
  const why = d.kind === "failed" ? `send failed ${d.errno}` : "never received";
  const text = mermaidText(`[${e.event.step}] ${label}: ${why}`);
  return { lines: [d.to === null ? `    Note over ${from}: ${text}` : `    ${from}-x${participantId(d.to)}: ${text}`], joinable: null };
}

export function renderMermaid(trace: readonly TraceEvent[], options: MermaidOptions = {}): string {
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const scene = sceneOf(trace);
  const head = ["sequenceDiagram", ...scene.processes.map((p) => `    participant ${participantId(p.pid)} as ${mermaidText(p.nspid === null ? p.label : `${p.label} (ns pid ${p.nspid})`)}`)];

  const items: Item[] = [];
  for (const e of scene.events) {
    if (e.tier === "message") {
      const item = arrowItem(e, trace);
      if (item !== null) items.push(item);
    } else if (e.tier === "lifecycle") {
      const last = items.at(-1)?.joinable;
      if (last && last.pid === e.event.pid && last.step === e.event.step && last.loud === e.loud) {
        items[items.length - 1] = noteItem(last.pid, last.step, [...last.texts, e.text], e.loud);
      } else {
        items.push(noteItem(e.event.pid, e.event.step, [e.text], e.loud));
      }
    }
  }

  const lines = [...head];
  let size = lines.join("\n").length;
  let drawn = 0;
  const room = MERMAID_MAX_TEXT - 400; // for the note that says the diagram was cut
  for (const item of items) {
    const add = item.lines.join("\n").length + 1;
    if (drawn >= maxItems || size + add > room) break;
    lines.push(...item.lines);
    size += add;
    drawn++;
  }
  if (drawn < items.length) {
    const first = participantId(scene.processes[0]!.pid);
    const last = participantId(scene.processes.at(-1)!.pid);
    const over = first === last ? first : `${first},${last}`;
    const note = `CUT: the first ${drawn} of ${items.length} arrows and notes are drawn (trace steps 0-${trace.at(-1)!.step}); --max-events raises the limit, --format chrome shows the whole run`;
    lines.push(`    Note over ${over}: ${mermaidText(note)}`);
  }
  return lines.join("\n") + "\n";
}

// The Mermaid pictures, checked by Mermaid's own parser (the `mermaid` package's parse, the
// grammar GitHub's renderer runs), not by comparing strings: the #633 fixture's diagram is
// complete and parses, a broken diagram is rejected (so the check can fail), any text is
// escaped so that it parses, and a long run is cut to a size Mermaid still draws.

import fc from "fast-check";
import mermaid from "mermaid";
import { describe, expect, it } from "vitest";

import type { TraceEvent } from "../../lifecycle/trace.ts";
import { MERMAID_MAX_TEXT, mermaidText, renderMermaid } from "../../harness/pictures/mermaid.ts";
import { pairMessages } from "../../harness/pictures/messages.ts";
import { processesOf } from "../../harness/pictures/processes.ts";
import { bug633Trace, HEAVY_FAULTS, shippedTrace } from "./runs.ts";

async function expectParses(diagram: string): Promise<void> {
  await expect(mermaid.parse(diagram)).resolves.toMatchObject({ diagramType: "sequence" });
}

const arrows = (diagram: string) => diagram.split("\n").filter((l) => /^\s+\w+(->>|-x)\w+: /.test(l));

describe("the #633 fixture as a Mermaid sequence diagram", () => {
  const trace = bug633Trace();
  const diagram = renderMermaid(trace);

  it("parses with Mermaid's parser", async () => {
    await expectParses(diagram);
  });

  it("is complete by default: a participant per process, an arrow per datagram, the crash in a red box, no cut", () => {
    expect(diagram).not.toContain("CUT");
    const processes = processesOf(trace);
    for (const p of processes) expect(diagram).toContain(`participant ${p.pid === 0 ? "nxtsim" : `p${p.pid}`} as ${p.label}`);
    expect(diagram).toContain("participant p6 as prototype 6 (ns pid 1)");
    const { messages } = pairMessages(trace);
    expect(arrows(diagram)).toHaveLength(messages.length);
    expect(diagram).toMatch(/^\s+p5->>p6: \[80\] START_PROCESS \(sent 78\)$/m);
    expect(diagram).toMatch(/rect rgb\(255, 205, 205\)\n\s+Note over p6: \[81\] TABLE ADD FAILED: pid 2 \(key taken\)<br\/>CRASH: assertion failed: port 0:0 cleanup: pair\[1\] == -1\n\s+end/);
    expect(diagram).toContain("Note over p2: [87] signal SIGCHLD (handler)\n    Note over p2: [88] reaps prototype 6 (killed by SIGSEGV)");
    expect(diagram.length).toBeLessThan(MERMAID_MAX_TEXT);
  });

  it("is rejected by the parser once broken (an unescaped ';' in a label, or an arrow without a target)", async () => {
    const unescaped = diagram.replace("START_PROCESS (sent 78)", "START_PROCESS; sent 78");
    expect(unescaped).not.toBe(diagram);
    await expect(mermaid.parse(unescaped)).rejects.toThrow(/Parse error/);
    const noTarget = diagram.replace("p5->>p6:", "p5->>:");
    await expect(mermaid.parse(noTarget)).rejects.toThrow(/Parse error/);
  });
});

describe("mermaidText", () => {
  it("makes any text safe as a note or a message label", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 40 }), async (text) => {
        const diagram = `sequenceDiagram\n    participant a as ${mermaidText(text)}.\n    Note over a: ${mermaidText(text)}.\n    a->>b: ${mermaidText(text)}.\n`;
        await expectParses(diagram);
      }),
      { numRuns: 200 },
    );
  });

  it("writes the characters Mermaid treats as syntax as entity codes", () => {
    expect(mermaidText('a;b #1 <x> "q" 50% {}\nnext')).toBe("a#59;b #35;1 #60;x#62; #34;q#34; 50#37; #123;#125; next");
  });
});

describe("long runs", () => {
  // A run with faults, many processes and many messages.
  const trace = shippedTrace("two-apps", 22, HEAVY_FAULTS);

  it("is cut after --max-events arrows and notes, with a note saying so, and still parses", async () => {
    const cut = renderMermaid(trace, { maxItems: 10 });
    const items = cut.split("\n").filter((l) => /^ {4}(Note|\w+(->>|-x))/.test(l));
    expect(items).toHaveLength(11);
    expect(items.at(-1)).toMatch(/Note over nxtsim,p\d+: CUT: the first 10 of \d+ arrows and notes are drawn/);
    await expectParses(cut);
  });

  it("stays under Mermaid's size limit by default, drawing lost and failed sends as crossed arrows", async () => {
    const full = renderMermaid(trace);
    expect(full.length).toBeLessThan(MERMAID_MAX_TEXT);
    expect(full).toMatch(/-xp\d+: \[\d+\] \S+.*: send failed EAGAIN/);
    await expectParses(full);
    // 2,000 long alerts, each a note of its own: far more text than Mermaid draws.
    const alerts: TraceEvent[] = Array.from({ length: 2000 }, (_, i) => ({
      ...{ step: i, t: i, pid: 100, nspid: 100, ptype: "main" },
      ...{ kind: "model", event: { what: "alert", text: `alert ${i} `.padEnd(100, "x") } },
    }));
    const capped = renderMermaid(alerts, { maxItems: 100_000 });
    expect(capped.length).toBeLessThanOrEqual(MERMAID_MAX_TEXT);
    expect(capped).toMatch(/CUT: the first \d+ of 2000 arrows and notes/);
    await expectParses(capped);
  });
});

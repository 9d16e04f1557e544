// The benchmark summary as a Markdown table (readable on a terminal, pasteable in the README).

import type { Figure, Measure } from "./figures.ts";

function number(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en");
  return v.toPrecision(3);
}

function measure(m: Measure): string {
  return `${number(m.value)} ${m.unit}`;
}

function ratio(r: number): string {
  return Number.isFinite(r) ? (r >= 0.1 ? `${r.toFixed(2)}x` : `${r.toPrecision(2)}x`) : "n/a";
}

export function formatTable(figures: readonly Figure[]): string {
  const rows = [
    ["figure", "measured", "baseline (same run)", "ratio", "target", "met"],
    ["---", "---:", "---", "---:", "---", "---"],
    ...figures.map((f) => [
      `${f.section}: ${f.name}`,
      measure(f.measured),
      `${measure(f.baseline)}: ${f.baseline.what}`,
      `${ratio(f.ratio)} (${f.ratioMeaning})`,
      f.target?.text ?? "",
      f.target === null ? "" : f.target.met ? "yes" : "NO",
    ]),
  ];
  return rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
}

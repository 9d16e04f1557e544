// The grain and exhaustive A/B bench sections (bench/grain-ab.ts, bench/exhaustive-ab.ts) on
// their smallest settings: their samplers import each tree's own modules, which moved
// (fixtures/ to catalog/) after the baseline commits, and a sampler that no longer loads in
// one of the trees broke `npm run bench` unnoticed. Each must produce its figure and leave no
// unpacked tree or sampler behind. (Their figures are judged in `npm run bench`, not here.)

import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { exhaustiveAb } from "../../bench/exhaustive-ab.ts";
import { grainAb } from "../../bench/grain-ab.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ours = () => readdirSync(tmpdir()).filter((n) => /^nxtsim-(grain-ab|exhaustive-ab|exhaustive-sampler)-/.test(n));

describe("bench: the A/B samplers run in both trees", () => {
  it("grain A/B: both trees make runs of the full scenario", () => {
    const before = ours();
    const [figure] = grainAb(ROOT, join(ROOT, "bench", "full-scenario.json"), 1, 50, 5);
    expect(figure!.measured.value).toBeGreaterThan(0);
    expect(figure!.baseline.value).toBeGreaterThan(0);
    expect(Number.isFinite(figure!.ratio)).toBe(true);
    expect(ours()).toEqual(before);
    expect(existsSync(join(ROOT, "grain-sampler.ts"))).toBe(false);
  }, 120_000);

  it("exhaustive A/B: both trees complete the same search with the same counts", () => {
    const before = ours();
    const figures = exhaustiveAb(ROOT, 1, [join(ROOT, "fixtures", "exhaustive", "one-app-pid-isolated.json")]);
    expect(figures).toHaveLength(1);
    expect(figures[0]!.name).toContain("ours complete true");
    expect(Number.isFinite(figures[0]!.ratio) && figures[0]!.ratio > 0).toBe(true);
    expect(ours()).toEqual(before);
  }, 120_000);
});

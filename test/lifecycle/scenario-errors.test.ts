// Acceptance: a scenario with an unknown key or a bad uidmap gets Unit's error, not a crash.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../catalog/scenario-parse.ts";
import { derived } from "./helpers.ts";

const INVALID = join(import.meta.dirname, "../../fixtures/invalid");

describe("invalid scenarios", () => {
  it("the shipped invalid examples give one line naming the field", () => {
    const files = readdirSync(INVALID).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const r = loadScenario(join(INVALID, f));
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error).not.toContain("\n");
      expect(r.error).toContain(f);
    }
  });

  it("an unknown application key is rejected with Unit's wording", () => {
    expect(() =>
      derived("one-app-two-processes", (json) => {
        (json["config"] as { applications: Record<string, Record<string, unknown>> }).applications["a"]!["colour"] = "red";
      }),
    ).toThrow(/Unknown parameter "colour"/);
  });

  it("a uidmap without the app user's uid is rejected with Unit's error", () => {
    expect(() =>
      derived("one-app-isolated", (json) => {
        const app = (json["config"] as { applications: Record<string, { isolation: { uidmap: unknown } }> }).applications["a"]!;
        app.isolation.uidmap = [{ container: 0, host: 500000, size: 1000 }];
      }),
    ).toThrow(/uidmap/);
  });
});

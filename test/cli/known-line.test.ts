// The `known c8d9106a finding` line of explore's and replay's reports: it names the finding a
// failure matches, only for the default model, and never for a failure nobody traced.

import { describe, expect, it } from "vitest";

import { knownFindingLine } from "../../cli/report.ts";

const DISCOVERY_NULL = "main 100 crashed: modules handler: port_by_type[DISCOVERY] is NULL";

describe("knownFindingLine", () => {
  it("names the known finding a failure matches, with Unit's reason", () => {
    expect(knownFindingLine("no-crash", DISCOVERY_NULL, [])).toMatch(/^known c8d9106a finding \(properties\/known\.ts\): discovery dies after sending MODULES/);
  });

  it("says nothing for a failure no finding explains, or for the right reason under the wrong check", () => {
    expect(knownFindingLine("no-crash", "router 103 crashed: something new", [])).toBeNull();
    expect(knownFindingLine("no-zombies", DISCOVERY_NULL, [])).toBeNull();
  });

  it("says nothing with a mutant on: the mutant may cause the same symptom", () => {
    expect(knownFindingLine("shutdown-completes", "main 100 still running after shutdown", [])).not.toBeNull();
    expect(knownFindingLine("shutdown-completes", "main 100 still running after shutdown", ["600"])).toBeNull();
  });
});

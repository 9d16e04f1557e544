// f67a01b8: "isolation": {"cgroup": {"path": ...}} by Unit 1.35's rules (nxt_conf_vldt_cgroup_path,
// lifecycle/conf-validation-cgroup.ts); c8d9106a does not know the key. Messages are Unit's.

import { describe, expect, it } from "vitest";

import { confValidate } from "../../lifecycle/conf-validation.ts";
import { upstreamOf } from "../../harness/model-options.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { expectOneLineError, runNxtsim, scratchDir } from "../cli/helpers.ts";
import { CGROUP_SCENARIO_FILE } from "./cgroup-scenario.ts";

const scratch = scratchDir();

function withCgroup(cgroup: Json, unit = "1.35"): string {
  const conf: Json = {
    listeners: { "*:8080": { pass: "applications/a" } },
    applications: { a: { type: "python", module: "wsgi", isolation: { cgroup } } },
  };
  const r = confValidate(conf, { havePrSetNoNewPrivs: false, modules: [{ type: "python", version: "3.10.6" }], upstream: upstreamOf({ unit }) });
  return r.ok ? "ok" : `${r.path}: ${r.detail}`;
}

describe("isolation.cgroup by version", () => {
  it("1.35 accepts a relative and an absolute path, and '.' or '..' inside a name", () => {
    for (const path of ["unit/a", "/srv/unit/a", "a/./b", "a..b/..c", "/"]) expect(withCgroup({ path }), path).toBe("ok");
  });

  it("1.35 rejects an empty path and a '..' component, as invalid", () => {
    expect(withCgroup({ path: "" })).toBe('applications/a/isolation/cgroup/path: The cgroup path "" is invalid.');
    for (const path of ["..", "../a", "a/..", "/a/../b"]) expect(withCgroup({ path }), path).toBe(`applications/a/isolation/cgroup/path: The cgroup path "${path}" is invalid.`);
  });

  it("1.35 rejects a path of 4081 bytes or more (MAXPATHLEN less /sys/fs/cgroup and a '/') as too long", () => {
    expect(withCgroup({ path: "a".repeat(4080) })).toBe("ok");
    const long = "a".repeat(4081);
    expect(withCgroup({ path: long })).toBe(`applications/a/isolation/cgroup/path: The cgroup path "${long}" is too long.`);
    expect(withCgroup({ path: "é".repeat(2041) })).toMatch(/is too long\.$/); // 4082 bytes
  });

  it("1.35: path is a required string, and nothing else is a member", () => {
    expect(withCgroup({})).toBe('applications/a/isolation/cgroup: Required parameter "path" is missing.');
    expect(withCgroup({ path: 1 })).toBe('applications/a/isolation/cgroup/path: The "path" value must be a string, but not an integer number.');
    expect(withCgroup({ path: "a", limit: 1 })).toBe('applications/a/isolation/cgroup/limit: Unknown parameter "limit".');
    expect(withCgroup("a")).toBe('applications/a/isolation/cgroup: The "cgroup" value must be an object, but not a string.');
  });

  it("c8d9106a rejects the key", () => {
    expect(withCgroup({ path: "unit/a" }, "c8d9106a")).toBe('applications/a/isolation/cgroup: Unknown parameter "cgroup".');
  });

  it("nxtsim check: --unit 1.35 accepts the shipped cgroup scenario, c8d9106a rejects it", async () => {
    const old = await runNxtsim(["check", CGROUP_SCENARIO_FILE], scratch);
    expectOneLineError(old);
    expect(old.stderr).toContain('isolation/cgroup: Unknown parameter "cgroup".');
    const v135 = await runNxtsim(["check", CGROUP_SCENARIO_FILE, "--unit", "1.35"], scratch);
    expect(v135.code).toBe(0);
    expect(v135.stdout).toBe("ok");
  });
});

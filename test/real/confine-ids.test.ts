// The ids of a confined run (real/confine-ids.ts): every id a scenario names exists in the
// run's user namespace, on an unprivileged host range, and the host's /proc reads back as
// the run's ids. Pure arithmetic: no kernel needed.

import { expect, test } from "vitest";

import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { BASE_COUNT, HOST_ID_BASE, hostIdToRun, idMapToRun, idsNamedBy, runIdMap } from "../../real/confine-ids.ts";

test("the base extent holds the usual ids; a named id above it gets an extent of its own, ranges merged", () => {
  expect(runIdMap([{ first: 65534, count: 1 }, { first: 500000, count: 65536 }])).toEqual([{ inside: 0, host: HOST_ID_BASE, count: BASE_COUNT }]);
  const high = 4_000_000_000;
  const map = runIdMap([{ first: high, count: 10 }, { first: high + 5, count: 10 }, { first: BASE_COUNT - 1, count: 3 }]);
  expect(map).toEqual([
    { inside: 0, host: HOST_ID_BASE, count: BASE_COUNT + 2 },
    { inside: high, host: HOST_ID_BASE + BASE_COUNT + 2, count: 15 },
  ]);
  // Nothing maps onto the host's own ids, and no two run ids share a host id.
  const hosts = map.flatMap((e) => [e.host, e.host + e.count - 1]);
  expect(Math.min(...hosts)).toBe(HOST_ID_BASE);
  expect(map[1]!.host).toBe(map[0]!.host + map[0]!.count);
});

test("host ids read back as the run's; ids outside the run's range are left alone", () => {
  const map = runIdMap([{ first: 4_000_000_000, count: 1 }]);
  expect(hostIdToRun(map, HOST_ID_BASE + 65534)).toBe(65534);
  expect(hostIdToRun(map, HOST_ID_BASE + BASE_COUNT)).toBe(4_000_000_000);
  expect(hostIdToRun(map, 65534)).toBe(65534); // the overflow id of an unmapped one
  // An app's map written by main ("0 500000 65536") as the host reads it, in /proc's layout.
  const host = `${"0".padStart(10)} ${String(HOST_ID_BASE + 500000).padStart(10)} ${"65536".padStart(10)}\n`;
  expect(idMapToRun(map, host).trim().split(/\s+/)).toEqual(["0", "500000", "65536"]);
});

test("a scenario names unitd's ids, its users, and the host side of every isolation map", () => {
  const found = scenarioByName("one-app-isolated");
  if (!found.ok) throw new Error(found.error);
  const named = idsNamedBy(found.scenario);
  expect(named).toEqual(expect.arrayContaining([{ first: 0, count: 1 }, { first: 500000, count: 65536 }]));
  const withHighUser = { ...found.scenario, users: { users: [{ name: "far", uid: 3_000_000_000, gid: 3_000_000_001 }], groups: [] } };
  const map = runIdMap(idsNamedBy(withHighUser));
  expect(map.map((e) => e.inside)).toEqual([0, 3_000_000_000]);
  expect(map[1]!.count).toBe(2);
});

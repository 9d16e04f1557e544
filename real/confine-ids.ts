// The ids of a confined run (real/confine.ts). The run's user namespace maps its ids onto an
// unprivileged host range, never the host's own ids: its root (unitd's main) is host uid
// HOST_ID_BASE, nobody on the host, owner of no host file. Inside, every id a scenario names
// must exist, as on a host, because real Unit inside writes its apps' maps against them
// (`"uidmap": [{"host": 500000, "size": 65536}]` needs the run's 500000..565535) and drops to
// them (setresuid to nobody's 65534). So the run's ids are the same numbers a host would
// use (the scenario's, unchanged) and only their host side moves: the run's [0, BASE_COUNT)
// maps to host [HOST_ID_BASE, HOST_ID_BASE + BASE_COUNT), and any id a scenario names above
// that gets an extent of its own after it. uid and gid maps are the same.
//
// The harness reads /proc from the host, where ids and the lower side of id maps are host
// ids: hostIdToRun and idMapToRun translate them back to the run's view, the view the model's
// facts had before (the run's root namespace was the host's).

import type { Json } from "../lifecycle/kernel.ts";

/** Start of the host range (inside systemd's container range 524288..1879048191, far above its allocations). */
export const HOST_ID_BASE = 0x40000000;
/** Run ids [0, 16 Mi) mapped in one extent: users, nobody, and the usual subordinate ranges (500000+65536). */
export const BASE_COUNT = 1 << 24;
/** The kernel's limit of lines in a uid_map/gid_map (since 4.15). */
const MAX_EXTENTS = 340;

export interface IdExtent {
  /** First id in the run's namespace. */
  inside: number;
  /** First host id it stands for. */
  host: number;
  count: number;
}

export interface IdRange {
  first: number;
  count: number;
}

/** The run's map: the base extent, then one extent per named range above it (merged, in order). */
export function runIdMap(named: readonly IdRange[]): IdExtent[] {
  const extents: IdExtent[] = [{ inside: 0, host: HOST_ID_BASE, count: BASE_COUNT }];
  const above = named
    .map((r) => ({ first: Math.max(r.first, BASE_COUNT), end: Math.min(r.first + r.count, 0xffffffff) }))
    .filter((r) => r.end > r.first)
    .sort((a, b) => a.first - b.first);
  let host = HOST_ID_BASE + BASE_COUNT;
  for (const r of above) {
    const last = extents[extents.length - 1]!;
    const lastEnd = last.inside + last.count;
    if (r.end <= lastEnd) continue;
    const first = Math.max(r.first, lastEnd);
    if (first === lastEnd && last.host + last.count === host) last.count += r.end - first;
    else extents.push({ inside: first, host, count: r.end - first });
    host += r.end - first;
  }
  if (extents.length > MAX_EXTENTS) throw new Error(`confined run: the scenario names ${extents.length} separate id ranges, more than a user namespace maps (${MAX_EXTENTS})`);
  if (host > 0xfffffffe) throw new Error("confined run: the scenario's ids do not fit in the host's id space above the run's base");
  return extents;
}

/** /proc/PID/uid_map text of the map (one write(2), as the kernel requires). */
export function idMapText(map: readonly IdExtent[]): string {
  return map.map((e) => `${e.inside} ${e.host} ${e.count}\n`).join("");
}

/** A host id as the run sees it (ids outside the run's range are returned unchanged). */
export function hostIdToRun(map: readonly IdExtent[], id: number): number {
  const e = map.find((x) => id >= x.host && id < x.host + x.count);
  return e === undefined ? id : e.inside + (id - e.host);
}

/**
 * A uid_map/gid_map as the host reads it (lower ids are host ids) as the run's root reads it.
 * Each line keeps /proc's layout; the run's own map reads as the identity it stands for.
 */
export function idMapToRun(map: readonly IdExtent[], text: string): string {
  return text.replace(/^(\s*\d+\s+)(\d+)(\s+\d+)$/gm, (_all, first: string, lower: string, count: string) => `${first}${String(hostIdToRun(map, Number(lower))).padStart(lower.length)}${count}`);
}

/** Every id range a scenario names: unitd's ids, its users and groups, and each isolation map's host side. */
export function idsNamedBy(scenario: { unitd: { euid: number; egid: number }; users: { users: { uid: number; gid: number }[]; groups: { gid: number }[] }; config: Json; actions: readonly { do: string; config?: Json }[] }): IdRange[] {
  const one = (id: number): IdRange => ({ first: id, count: 1 });
  const out: IdRange[] = [one(scenario.unitd.euid), one(scenario.unitd.egid)];
  for (const u of scenario.users.users) out.push(one(u.uid), one(u.gid));
  for (const g of scenario.users.groups) out.push(one(g.gid));
  const configs = [scenario.config, ...scenario.actions.flatMap((a) => (a.config === undefined ? [] : [a.config]))];
  for (const config of configs) collectMapHosts(config, out, 0);
  return out;
}

/** The host side of every {host, size} entry under a "uidmap"/"gidmap" key (the config is validated: depth is bounded). */
function collectMapHosts(json: Json, out: IdRange[], depth: number): void {
  if (json === null || typeof json !== "object" || depth > 64) return;
  for (const [key, value] of Object.entries(json)) {
    if ((key === "uidmap" || key === "gidmap") && Array.isArray(value)) {
      for (const entry of value) {
        const e = entry as { host?: unknown; size?: unknown };
        if (typeof e.host === "number" && typeof e.size === "number" && e.size > 0) out.push({ first: e.host, count: e.size });
      }
    } else {
      collectMapHosts(value as Json, out, depth + 1);
    }
  }
}

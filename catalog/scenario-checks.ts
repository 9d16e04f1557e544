// The checks Unit itself makes of a scenario's unitd and configurations, so that errors carry
// Unit's own text: unitd's start-up (its --user/--group), then for every configuration the
// controller's validation and main's isolation prefork of each application.

import type { Json } from "../lifecycle/kernel.ts";
import { credentialGet } from "../lifecycle/credential.ts";
import type { UserDb } from "../lifecycle/credential.ts";
import { confValidate } from "../lifecycle/conf-validation.ts";
import { isolationMainPrefork } from "../lifecycle/isolation.ts";
import { buildHasNoNewPrivs, type UpstreamCommit } from "../lifecycle/options.ts";
import { problem } from "./problem.ts";
import { checkConfigBounds, type ScenarioLimits } from "./limits.ts";
import { unitdCapabilities, type UnitdOptions } from "./scenario.ts";
import { isObject } from "./scenario-fields.ts";

/** Unitd's own start-up check: a privileged unitd resolves its --user/--group. */
export function checkUnitd(unitd: UnitdOptions, db: UserDb): void {
  if (!unitdCapabilities(unitd).setid) {
    return; // "Unit is running unprivileged, then it cannot use arbitrary user and group."
  }
  const r = credentialGet(db, unitd.user, unitd.group);
  if (!r.ok) {
    throw problem(`unitd.${r.field ?? "user"}: ${r.alerts.join("; ")}`);
  }
}

/** The checks a configuration goes through before any process is started for it. */
export function checkConfig(config: Json, path: string, unitd: UnitdOptions, db: UserDb, limits: ScenarioLimits, upstream: readonly UpstreamCommit[]): void {
  const havePrSetNoNewPrivs = buildHasNoNewPrivs(unitd.havePrSetNoNewPrivs, upstream);
  const vr = confValidate(config, { havePrSetNoNewPrivs, modules: unitd.modules, upstream });
  if (!vr.ok) {
    throw problem(`${vr.path === "" ? path : `${path}/${vr.path}`}: ${vr.detail}`);
  }
  checkConfigBounds(config, path, limits);

  const apps = isObject(config) ? config.applications : undefined;
  if (!isObject(apps)) {
    return;
  }

  for (const [appName, app] of Object.entries(apps)) {
    const r = isolationMainPrefork({
      caps: unitdCapabilities(unitd),
      mainUser: unitd.user,
      mainGroup: unitd.group,
      mainEuid: unitd.euid,
      mainEgid: unitd.egid,
      db,
      havePrSetNoNewPrivs,
      upstream,
      appName,
      app,
      langMounts: [],
    });
    if (!r.ok) {
      const at = `${path}/applications/${appName}${r.field === undefined ? "" : `/${r.field}`}`;
      if (r.abort !== undefined) {
        throw problem(`${at}: unitd's main process would crash here (${r.abort})`);
      }
      throw problem(`${at}: ${r.alerts.join("; ")}`);
    }
  }
}

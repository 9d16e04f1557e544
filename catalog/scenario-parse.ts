// Scenarios: what a run does, as data. A scenario names how unitd is started (user, ids,
// pid range, installed language modules), the initial Unit configuration, and timed actions
// (reconfigure, signal a process). Loading checks everything and answers with ONE line that
// names the file and the field; the Unit configuration inside is checked the way Unit checks
// it (controller validation, then main's isolation prefork), so errors carry Unit's own text.

import { basename, relative, isAbsolute } from "node:path";
import { readJsonFile } from "./json-file.ts";

import type { Json } from "../lifecycle/kernel.ts";
import type { UserDb } from "../lifecycle/credential.ts";
import { appParseType } from "../lifecycle/conf-validation.ts";
import type { UpstreamCommit } from "../lifecycle/options.ts";
import { isProblem, problem } from "./problem.ts";
import { checkActionCount, checkDepth, DEFAULT_LIMITS, type ScenarioLimits } from "./limits.ts";
import { DEFAULT_UNITD, SIGNALS, scenarioUserDb, type ProcessRole, type Scenario, type ScenarioAction, type ScenarioResult, type SignalName, type SignalTarget, type UnitdOptions } from "./scenario.ts";
import { int, isObject, obj, onlyKeys, show, str } from "./scenario-fields.ts";
import { checkConfig, checkUnitd } from "./scenario-checks.ts";

const ACTION_KEYS = {
  reconfigure: ["at", "do", "config"],
  signal: ["at", "do", "target", "signal"],
  request: ["at", "do", "app", "count", "duration"],
} as const;

const ROLES: readonly ProcessRole[] = ["main", "controller", "router", "discovery", "prototype", "app"];

function parseUnitd(v: unknown): UnitdOptions {
  if (v === undefined) return { ...DEFAULT_UNITD, modules: DEFAULT_UNITD.modules.map((m) => ({ ...m })) };
  const o = obj(v, "unitd");
  onlyKeys(o, ["user", "group", "euid", "egid", "firstPid", "pidMax", "modules", "havePrSetNoNewPrivs"], "unitd");

  const user = str(o, "user", "unitd", DEFAULT_UNITD.user);
  let group: string | null = null;
  if (o.group !== undefined && o.group !== null) {
    group = str(o, "group", "unitd");
  }
  const euid = int(o, "euid", "unitd", DEFAULT_UNITD.euid, 0, 4294967294);
  const egid = int(o, "egid", "unitd", euid === 0 ? DEFAULT_UNITD.egid : euid, 0, 4294967294);
  const pidMax = int(o, "pidMax", "unitd", DEFAULT_UNITD.pidMax, 301, 4194304);
  const firstPid = int(o, "firstPid", "unitd", DEFAULT_UNITD.firstPid, 2, pidMax - 1);

  let modules = DEFAULT_UNITD.modules.map((m) => ({ ...m }));
  if (o.modules !== undefined) {
    if (!Array.isArray(o.modules)) {
      throw problem(`unitd.modules: must be an array of {"type", "version"}, got ${show(o.modules)}`);
    }
    modules = o.modules.map((m, i) => {
      const p = `unitd.modules[${i}]`;
      const mo = obj(m, p);
      onlyKeys(mo, ["type", "version"], p);
      const type = str(mo, "type", p);
      const parsed = appParseType(type);
      if (parsed.type === null || parsed.type === "external" || parsed.version !== "") {
        throw problem(`${p}.type: must be one of python, php, perl, ruby, java (no version), got ${show(type)}`);
      }
      return { type, version: str(mo, "version", p) };
    });
  }

  let havePrSetNoNewPrivs = DEFAULT_UNITD.havePrSetNoNewPrivs;
  if (o.havePrSetNoNewPrivs !== undefined) {
    if (typeof o.havePrSetNoNewPrivs !== "boolean") {
      throw problem(`unitd.havePrSetNoNewPrivs: must be a boolean, got ${show(o.havePrSetNoNewPrivs)}`);
    }
    havePrSetNoNewPrivs = o.havePrSetNoNewPrivs;
  }

  return { user, group, euid, egid, firstPid, pidMax, modules, havePrSetNoNewPrivs };
}

function parseUsers(v: unknown): UserDb {
  if (v === undefined) return { users: [], groups: [] };
  const o = obj(v, "users");
  onlyKeys(o, ["users", "groups"], "users");
  const users: UserDb["users"] = [];
  const groups: UserDb["groups"] = [];

  if (o.users !== undefined) {
    if (!Array.isArray(o.users)) throw problem(`users.users: must be an array, got ${show(o.users)}`);
    o.users.forEach((u, i) => {
      const p = `users.users[${i}]`;
      const uo = obj(u, p);
      onlyKeys(uo, ["name", "uid", "gid"], p);
      const name = str(uo, "name", p);
      if (uo.uid === undefined) throw problem(`${p}.uid: is required`);
      if (uo.gid === undefined) throw problem(`${p}.gid: is required`);
      users.push({ name, uid: int(uo, "uid", p, 0, 0, 4294967294), gid: int(uo, "gid", p, 0, 0, 4294967294) });
    });
  }

  if (o.groups !== undefined) {
    if (!Array.isArray(o.groups)) throw problem(`users.groups: must be an array, got ${show(o.groups)}`);
    o.groups.forEach((g, i) => {
      const p = `users.groups[${i}]`;
      const go = obj(g, p);
      onlyKeys(go, ["name", "gid", "members"], p);
      const name = str(go, "name", p);
      if (go.gid === undefined) throw problem(`${p}.gid: is required`);
      const gid = int(go, "gid", p, 0, 0, 4294967294);
      let members: string[] = [];
      if (go.members !== undefined) {
        if (!Array.isArray(go.members) || !go.members.every((m) => typeof m === "string")) {
          throw problem(`${p}.members: must be an array of user names, got ${show(go.members)}`);
        }
        members = go.members as string[];
      }
      groups.push({ name, gid, members: [...members] });
    });
  }

  return { users, groups };
}

function appNames(config: Json): string[] {
  const apps = isObject(config) ? config.applications : undefined;
  return isObject(apps) ? Object.keys(apps) : [];
}

function parseTarget(v: unknown, path: string, config: Json, at: number): SignalTarget {
  const o = obj(v, path);
  onlyKeys(o, ["role", "app", "index"], path);
  const role = str(o, "role", path) as ProcessRole;
  if (!ROLES.includes(role)) {
    throw problem(`${path}.role: must be one of ${ROLES.join(", ")}, got ${show(role)}`);
  }

  // app: null and index: 0 are the loaded form's defaults, so a loaded scenario loads again.
  if (role !== "prototype" && role !== "app") {
    if (o.app !== undefined && o.app !== null) throw problem(`${path}.app: only roles "prototype" and "app" name an application`);
    if (o.index !== undefined && o.index !== 0) throw problem(`${path}.index: only role "app" takes an index`);
    return { role, app: null, index: 0 };
  }

  const app = str(o, "app", path);
  const names = appNames(config);
  if (!names.includes(app)) {
    throw problem(
      `${path}.app: no application "${app}" in the configuration in force at ${at} ms (have: ${names.length ? names.join(", ") : "none"})`,
    );
  }
  if (role === "prototype" && o.index !== undefined && o.index !== 0) {
    throw problem(`${path}.index: only role "app" takes an index`);
  }
  return { role, app, index: int(o, "index", path, 0, 0, 1000000) };
}

function parseActions(v: unknown, config: Json, unitd: UnitdOptions, db: UserDb, limits: ScenarioLimits, upstream: readonly UpstreamCommit[]): ScenarioAction[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw problem(`actions: must be an array, got ${show(v)}`);
  checkActionCount(v, limits);

  let current = config;
  let lastAt = 0;
  return v.map((a, i): ScenarioAction => {
    const p = `actions[${i}]`;
    const o = obj(a, p);
    const kind = o.do;
    if (kind !== "reconfigure" && kind !== "signal" && kind !== "request") {
      throw problem(`${p}.do: must be "reconfigure", "signal" or "request", got ${kind === undefined ? "nothing" : show(kind)}`);
    }
    onlyKeys(o, ACTION_KEYS[kind], p);

    const at = o.at;
    if (typeof at !== "number" || !Number.isFinite(at) || at < 0) {
      throw problem(`${p}.at: must be a non-negative number of virtual ms, got ${at === undefined ? "nothing" : show(at)}`);
    }
    if (at < lastAt) {
      throw problem(`${p}.at: actions must be in time order, but ${at} is earlier than the previous ${lastAt}`);
    }
    lastAt = at;

    if (kind === "reconfigure") {
      if (o.config === undefined) throw problem(`${p}.config: is required for "reconfigure"`);
      checkConfig(o.config, `${p}.config`, unitd, db, limits, upstream);
      current = o.config;
      return { at, do: "reconfigure", config: o.config };
    }

    if (kind === "request") {
      const app = str(o, "app", p);
      const names = appNames(current);
      if (!names.includes(app)) {
        throw problem(`${p}.app: no application "${app}" in the configuration in force at ${at} ms (have: ${names.length ? names.join(", ") : "none"})`);
      }
      return { at, do: "request", app, count: int(o, "count", p, 1, 1, 1000), duration: int(o, "duration", p, 1000, 0, 86400000) };
    }

    if (o.target === undefined) throw problem(`${p}.target: is required for "signal"`);
    const target = parseTarget(o.target, `${p}.target`, current, at);
    const signal = o.signal;
    if (typeof signal !== "string" || !(signal in SIGNALS)) {
      throw problem(`${p}.signal: must be one of ${Object.keys(SIGNALS).join(", ")}, got ${show(signal)}`);
    }
    return { at, do: "signal", target, signal: signal as SignalName };
  });
}

function parseOrThrow(json: unknown, source: string, limits: ScenarioLimits, upstream: readonly UpstreamCommit[]): Scenario {
  checkDepth(json, limits);
  const o = obj(json, "");
  onlyKeys(o, ["name", "description", "unitd", "users", "config", "actions"], "");

  const name = str(o, "name", "", basename(source).replace(/\.json$/, ""));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw problem(`name: must be letters, digits, ".", "_" or "-", got ${show(name)}`);
  }
  const description = str(o, "description", "", "");
  const unitd = parseUnitd(o.unitd);
  const users = parseUsers(o.users);
  const db = scenarioUserDb({ users });
  checkUnitd(unitd, db);

  const config: Json = o.config === undefined ? {} : o.config;
  checkConfig(config, "config", unitd, db, limits, upstream);

  const actions = parseActions(o.actions, config, unitd, db, limits, upstream);
  return { name, description, unitd, users, config, actions };
}

/**
 * Checks a scenario given as parsed JSON; `source` names it in the error line. `upstream`: the
 * Unit version's commits beyond c8d9106a (its configuration validation), default c8d9106a's.
 */
export function parseScenario(json: unknown, source: string, limits: ScenarioLimits = DEFAULT_LIMITS, upstream: readonly UpstreamCommit[] = []): ScenarioResult {
  try {
    return { ok: true, scenario: parseOrThrow(json, source, limits, upstream) };
  } catch (e) {
    if (isProblem(e)) {
      return { ok: false, error: `${source}: ${e.problem}` };
    }
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof RangeError && /call stack/i.test(msg)) {
      return { ok: false, error: `${source}: nested too deep to check with this process's stack (keep --limit depth lower)` };
    }
    return { ok: false, error: `${source}: internal error while checking the scenario: ${msg.split("\n")[0]}` };
  }
}

export function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/** Reads and checks a scenario file. */
export function loadScenario(path: string, limits: ScenarioLimits = DEFAULT_LIMITS, upstream: readonly UpstreamCommit[] = []): ScenarioResult {
  const source = displayPath(path);
  const file = readJsonFile(path, source, limits["file-size"]);
  if (!file.ok) return file;
  const json = file.json;
  return parseScenario(json, source, limits, upstream);
}

// The server at rest: once a run has quiesced and main never began a shutdown (nxt_runtime_quit,
// on a signal or on a failure it does not survive), main, the controller and the router run, and every application of the configuration the controller holds
// runs as many processes as it asks for, or the router said it could not start it.

import type { Check, RunView, Violation } from "../check.ts";
import { indexTrace } from "../trace-index.ts";
import { mainKilled, shutdownRequested } from "./end-state.ts";
import { header, MSG, namesByPid } from "./start-protocol.ts";

const NAME = "configured-processes-running";

/**
 * A member of an application's `processes` as nxt_router_conf_create maps it: `processes`
 * absent means 1 process; a number n means max = spare = n; an object gives its member, or
 * the member's default (spare 0, max 1).
 */
function processesMember(app: unknown, member: "spare" | "max", objectDefault: number): number {
  const processes = typeof app === "object" && app !== null ? (app as Record<string, unknown>)["processes"] : undefined;
  if (processes === undefined) return 1;
  if (typeof processes === "number") return processes;
  const value = typeof processes === "object" && processes !== null ? (processes as Record<string, unknown>)[member] : undefined;
  return typeof value === "number" ? value : objectDefault;
}

/**
 * How many processes an application runs at rest: its spare processes, which
 * nxt_router_app_need_start keeps started; nxt_router_adjust_idle_timer sends QUIT to every
 * idle process beyond them once idle for idle_timeout, and at rest no request is active and
 * no timer is left, so exactly these run.
 */
export function spareProcesses(app: unknown): number {
  return processesMember(app, "spare", 0);
}

/** The most processes an application may run: max_processes (nxt_router_app_can_start). */
export function maxProcesses(app: unknown): number {
  return processesMember(app, "max", 1);
}

/** Main began its shutdown (nxt_runtime_quit), whatever the cause. */
function mainQuit(run: RunView, mainPid: number): boolean {
  return run.trace.some((e) => e.pid === mainPid && e.kind === "model" && e.event.what === "quit");
}

/** The router's report that it could not start an application (nxt_router_app_prefork_error's warnings). */
function startFailureReported(text: string, app: string): boolean {
  return text === `failed to start application "${app}"` || text === `failed to start prototype "${app}"`;
}

/** Some controller sent a configuration (DATA) during the run. */
function sentConfiguration(run: RunView, typeOf: ReadonlyMap<number, string>): boolean {
  return run.trace.some((e) => e.kind === "send" && typeOf.get(e.pid) === "controller" && header(e.msg)?.type === MSG.DATA);
}

/** A reconfiguration was posted to a controller (it holds that configuration from then on). */
function reconfigured(run: RunView): boolean {
  return run.trace.some((e) => e.kind === "action" && (e.action as { fn?: unknown } | null)?.fn === "controllerReconfigure");
}

/**
 * The applications of the configuration the controller holds: the last one (DATA) a controller
 * sent; when none was ever sent, unitd's initial configuration, which nxt_controller_send_current_conf
 * owes every router that greets the controller (unknown, null, once a reconfiguration was posted).
 */
function currentApplications(run: RunView, typeOf: ReadonlyMap<number, string>): Record<string, unknown> | null {
  for (let i = run.trace.length - 1; i >= 0; i--) {
    const e = run.trace[i]!;
    const h = e.kind === "send" ? header(e.msg) : null;
    if (h === null || h.type !== MSG.DATA || typeOf.get(e.pid) !== "controller") continue;
    const body = h.body;
    if (typeof body !== "object" || body === null) continue;
    const apps = (body as Record<string, unknown>)["applications"];
    return typeof apps === "object" && apps !== null ? (apps as Record<string, unknown>) : {};
  }
  if (reconfigured(run)) return null;
  const apps = typeof run.initialConfig === "object" && run.initialConfig !== null ? (run.initialConfig as Record<string, unknown>)["applications"] : undefined;
  return typeof apps === "object" && apps !== null ? (apps as Record<string, unknown>) : {};
}

export const configuredProcessesRunning: Check = {
  name: NAME,
  claim:
    "at quiescence, unless main began a shutdown (a signal, or a failure it quits on) or was killed (SIGKILL): main, the controller and the router run, and each application of the configuration last sent (unitd's initial one when none was sent and none posted, judged only with the controller and the router up) runs its spare processes (`processes` n: n; an object: its spare, 0 by default; those beyond are stopped once idle for idle_timeout), or fewer where the running router reported that it failed to start it",
  check: (run) => {
    const main = run.facts.find((f) => f.ptype === "main");
    // A main killed by SIGKILL (a generated scenario's action) leaves no server to judge.
    if (!run.quiescent || main === undefined || shutdownRequested(run, main.pid) || mainQuit(run, main.pid) || mainKilled(run, main.pid)) return [];
    const out: Violation[] = [];
    const running = run.facts.filter((f) => f.status === "running");
    for (const type of ["main", "controller", "router"]) {
      if (!running.some((f) => f.ptype === type)) out.push({ check: NAME, reason: `no ${type} is running`, step: -1 });
    }
    const index = indexTrace(run.trace);
    // With no controller or router up the applications cannot run: that is reported above.
    const apps = out.length > 0 && !sentConfiguration(run, index.typeOf) ? null : currentApplications(run, index.typeOf);
    if (apps === null) return out;
    const names = namesByPid(run.trace);
    const router = running.find((f) => f.ptype === "router")?.pid;
    const reports = run.trace.flatMap((e) => (e.pid === router && e.kind === "model" && e.event.what === "alert" ? [e.event.text] : []));
    for (const app of Object.keys(apps).sort()) {
      const want = spareProcesses(apps[app]);
      const have = running.filter((f) => f.ptype === "app" && names.get(f.pid) === `"${app}" application`).length;
      if (have === want || (have < want && reports.some((text) => startFailureReported(text, app)))) continue;
      const reason =
        have > want
          ? `application "${app}" runs ${have} processes where it is configured for ${want}${typeof (apps[app] as { processes?: unknown }).processes === "object" ? " spare (idle ones past idle_timeout are stopped)" : ""}`
          : `application "${app}" runs ${have} of its ${want} processes and the router reported no failure to start it`;
      out.push({ check: NAME, reason, step: -1 });
    }
    return out;
  },
};

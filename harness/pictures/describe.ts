// One short line of text for a trace event, shared by every picture, and how much it matters:
// "message" (a send or recv), "lifecycle" (what a sequence diagram shows as a note: handshake
// steps, forks, signals, deaths, crashes, faults, harness actions), "detail" (model facts a
// timeline shows: state, rpc, logs) and "fine" (plain syscalls and table bookkeeping: jsonl and
// Perfetto only).

import { SIGABRT, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGSEGV, SIGTERM, SIGUSR1, type Json } from "../../lifecycle/kernel.ts";
import { msgTypeName } from "../../lifecycle/port-messages.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import { errnoOf, type Message } from "./messages.ts";

export type Tier = "message" | "lifecycle" | "detail" | "fine";

export interface Described {
  text: string;
  tier: Tier;
  /** A crash, an internal error or a failed table insert: shown so that nobody misses it. */
  loud: boolean;
}

const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  [SIGHUP]: "SIGHUP",
  [SIGINT]: "SIGINT",
  [SIGQUIT]: "SIGQUIT",
  [SIGABRT]: "SIGABRT",
  [SIGSEGV]: "SIGSEGV",
  [SIGKILL]: "SIGKILL",
  [SIGUSR1]: "SIGUSR1",
  [SIGTERM]: "SIGTERM",
  [SIGCHLD]: "SIGCHLD",
};

export function signalName(sig: number): string {
  return SIGNAL_NAMES[sig] ?? `signal ${sig}`;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON as short text: objects as "key=value" pairs, cut at `max` characters. */
export function compact(v: Json | undefined, max = 60): string {
  const text =
    v === undefined || v === null
      ? ""
      : typeof v === "string"
        ? v
        : isObject(v)
          ? Object.entries(v)
              .map(([k, x]) => `${k}=${typeof x === "string" ? x : JSON.stringify(x)}`)
              .join(" ")
          : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A port message as "TYPE" plus what it is about (a pid, a new port's owner). */
export function messageLabel(msg: Json): string {
  if (!isObject(msg) || typeof msg["type"] !== "number") return "(no message)";
  const name = msgTypeName(msg["type"]);
  const body = msg["body"];
  if (typeof body === "number") return `${name} ${body}`;
  if (isObject(body) && typeof body["pid"] === "number" && name === "NEW_PORT") return `${name} of ${body["pid"]}`;
  if (isObject(body) && typeof body["name"] === "string") return `${name} ${body["name"]}`;
  return name;
}

function exitText(status: number | null, signal: number | null): string {
  return signal !== null ? `killed by ${signalName(signal)}` : `exit ${status ?? "?"}`;
}

function actionText(a: Json): string {
  if (isObject(a)) {
    if (typeof a["spawn"] === "number") return `spawn unitd as pid ${a["spawn"]}`;
    if (typeof a["signal"] === "number" && typeof a["pid"] === "number") return `send ${signalName(a["signal"])} to pid ${a["pid"]}`;
    if (typeof a["post"] === "number") return `post ${compact(a["fn"] ?? null)} to pid ${a["post"]}`;
    if (a["do"] === "signal" && isObject(a["target"])) return `scenario at ${a["at"]} ms: ${compact(a["signal"] ?? null)} to ${compact(a["target"])}`;
    if (typeof a["do"] === "string") return `scenario at ${a["at"]} ms: ${a["do"]}`;
  }
  return `action ${compact(a)}`;
}

function syscall(e: Extract<TraceEvent, { kind: "syscall" }>): Described {
  const failed = errnoOf(e.ret);
  if (e.call === "clone") {
    return { text: failed === null ? `clone: child pid ${compact(e.ret)}` : `clone FAILED ${failed}`, tier: "lifecycle", loud: false };
  }
  if (e.call === "kill" && isObject(e.args)) {
    const sig = typeof e.args["sig"] === "number" ? signalName(e.args["sig"]) : compact(e.args["sig"]);
    return { text: `kill ${sig} -> pid ${compact(e.args["pid"])}${failed === null ? "" : ` FAILED ${failed}`}`, tier: "lifecycle", loud: false };
  }
  const ret = e.ret === null ? "" : ` = ${compact(e.ret, 30)}`;
  return { text: `${e.call}(${compact(e.args, 40)})${ret}`, tier: failed === null ? "fine" : "detail", loud: false };
}

function model(e: Extract<TraceEvent, { kind: "model" }>): Described {
  const ev = e.event;
  const detail = (text: string): Described => ({ text, tier: "detail", loud: false });
  switch (ev.what) {
    case "type":
      return detail(`is ${ev.type}${ev.name === ev.type ? "" : ` (${ev.name})`}`);
    case "state":
      return detail(`state of ${ev.of}: ${ev.from} -> ${ev.to} (${ev.table} table)`);
    case "alert":
      return { text: `alert: ${ev.text}`, tier: "lifecycle", loud: false };
    case "log":
      return detail(`log: ${ev.text}`);
    case "handshake": {
      const more = compact(ev.detail);
      return { text: `handshake ${ev.step}${more === "" ? "" : ` (${more})`}`, tier: "lifecycle", loud: false };
    }
    case "table":
      return ev.op === "add-failed"
        ? { text: `TABLE ADD FAILED: pid ${ev.pid} (key taken)`, tier: "lifecycle", loud: true }
        : { text: `table ${ev.op} pid ${ev.pid}`, tier: "fine", loud: false };
    case "port":
      return { text: `port ${ev.op} ${ev.pid}:${ev.id} (${ev.ptype})`, tier: "fine", loud: false };
    case "rpc":
      return detail(`rpc ${ev.op} stream ${ev.stream}${ev.peer === undefined ? "" : ` peer ${ev.peer}`}`);
    case "rpc-close":
      return detail(`rpc close of port #${ev.port}`);
    case "handler":
      return detail(`${ev.fn}: ${ev.found ? "record found" : "no record, message dropped"}`);
    case "quit":
      return { text: `quit ${ev.status}`, tier: "lifecycle", loud: false };
    case "fixup":
      return detail(`fixup kept ${ev.kept.map((k) => `${k.pid} ${k.state}`).join(", ") || "nothing"}`);
    case "table-snapshot":
      return { text: `table at ${ev.at}: ${ev.entries.map((t) => `${t.key}(use ${t.useCount})`).join(" ") || "empty"}`, tier: "fine", loud: false };
  }
}

/** The text of event `e`; `message` is its send/recv pairing, `name` labels a pid. */
export function describeEvent(e: TraceEvent, name: (pid: number) => string, message?: Message): Described {
  switch (e.kind) {
    case "send": {
      const label = messageLabel(e.msg);
      const d = message?.delivery;
      const to = d === undefined || d.to === null ? "?" : name(d.to);
      const text =
        d?.kind === "failed"
          ? `send ${label} -> ${to} FAILED ${d.errno}`
          : d?.kind === "lost"
            ? `send ${label} -> ${to} (never received)`
            : `send ${label} -> ${to}`;
      return { text, tier: "message", loud: false };
    }
    case "recv":
      return { text: `recv ${messageLabel(e.msg)} <- ${name(e.from)}`, tier: "message", loud: false };
    case "signal":
      return { text: `signal ${signalName(e.sig)} (${e.action})`, tier: "lifecycle", loud: false };
    case "crash":
      return { text: `CRASH: ${e.reason}`, tier: "lifecycle", loud: true };
    case "exit":
      return { text: exitText(e.status, e.signal), tier: "lifecycle", loud: false };
    case "reap":
      return { text: `reaps ${name(e.child)} (${exitText(e.status, e.signal)})`, tier: "lifecycle", loud: false };
    case "action":
      return { text: actionText(e.action), tier: "lifecycle", loud: false };
    case "fault":
      return { text: `fault ${e.fault}: ${compact(e.detail)}`, tier: "lifecycle", loud: false };
    case "internal-error":
      return { text: `INTERNAL ERROR: ${e.message}`, tier: "lifecycle", loud: true };
    case "model":
      return model(e);
    case "syscall":
      return syscall(e);
  }
}

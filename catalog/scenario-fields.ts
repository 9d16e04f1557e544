// Reading a scenario's JSON fields: each reader throws a one-line problem (problem.ts) that
// names the field and what it must be.

import type { Json } from "../lifecycle/kernel.ts";
import { problem } from "./problem.ts";

export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function where(path: string): string {
  return path === "" ? "the top level" : path;
}

export function obj(v: unknown, path: string): JsonObject {
  if (!isObject(v)) {
    throw problem(`${path === "" ? "the scenario" : path}: must be an object, got ${show(v)}`);
  }
  return v;
}

export function onlyKeys(o: JsonObject, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw problem(`unknown key "${k}" at ${where(path)} (allowed: ${allowed.join(", ")})`);
    }
  }
}

function join2(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

export function str(o: JsonObject, key: string, path: string, dflt?: string): string {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "string") {
    throw problem(`${join2(path, key)}: must be a string, got ${v === undefined ? "nothing" : show(v)}`);
  }
  return v;
}

export function int(o: JsonObject, key: string, path: string, dflt: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw problem(`${join2(path, key)}: must be an integer from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

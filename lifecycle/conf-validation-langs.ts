// The application types of the controller's configuration validation (src/nxt_conf_validation.c
// at c8d9106a): nxt_conf_vldt_app, which finds the language module (nxt_app_parse_type,
// nxt_strvers_match, nxt_app_lang_module) and walks that language's member table: external,
// python (with and without targets), php (likewise), perl, ruby, java.

import type { Json } from "./kernel.ts";
import {
  commonMembers,
  vldtTargets,
  vldtTargetsExclusive,
  vldtThreads,
  vldtThreadStackSize,
} from "./conf-validation-apps.ts";
import { T_ANY, T_ARRAY, T_INTEGER, T_OBJECT, T_STRING } from "./conf-validation-walk.ts";
import { arrayIterator, err, get, objectIterator, objectOf, stringArrayElement, vldtObject, vldtType } from "./conf-validation-walk.ts";
import type { Member, VErr, Vldt } from "./conf-validation-walk.ts";

const externalMembers: Member[] = [
  { name: "executable", type: T_STRING, required: true },
  { name: "arguments", type: T_ARRAY, validator: arrayIterator(stringArrayElement("arguments", true)) },
  ...commonMembers,
];

const pythonCommonMembers: Member[] = [
  { name: "home", type: T_STRING },
  { name: "path", type: T_STRING | T_ARRAY, validator: arrayIterator(stringArrayElement("path", false)) },
  {
    name: "protocol",
    type: T_STRING,
    validator: (_v, value, path) =>
      value === "wsgi" || value === "asgi" ? null : err(path, `The "protocol" can either be "wsgi" or "asgi".`),
  },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "thread_stack_size", type: T_INTEGER, validator: vldtThreadStackSize },
  ...commonMembers,
];

const pythonTargetMembers: Member[] = [
  { name: "module", type: T_STRING, required: true },
  { name: "callable", type: T_STRING },
];

const pythonMembers: Member[] = [
  { name: "module", type: T_STRING, validator: vldtTargetsExclusive("module") },
  { name: "callable", type: T_STRING, validator: vldtTargetsExclusive("callable") },
  { name: "targets", type: T_OBJECT, validator: vldtTargets(() => pythonTargetMembers) },
  ...pythonCommonMembers,
];

const pythonNotargetsMembers: Member[] = [...pythonTargetMembers, ...pythonCommonMembers];

const phpOption = (_v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  if (name.length === 0) return err(path, `The PHP option name must not be empty.`);
  if (typeof value !== "string") return err(path, `The "${name}" PHP option must be a string.`);
  return null;
};

const phpOptionsMembers: Member[] = [
  { name: "file", type: T_STRING },
  { name: "admin", type: T_OBJECT, validator: objectIterator(phpOption) },
  { name: "user", type: T_OBJECT, validator: objectIterator(phpOption) },
];

const phpCommonMembers: Member[] = [
  { name: "options", type: T_OBJECT, validator: objectOf(() => phpOptionsMembers) },
  ...commonMembers,
];

const phpTargetMembers: Member[] = [
  { name: "root", type: T_STRING, required: true },
  { name: "script", type: T_STRING },
  { name: "index", type: T_STRING },
];

const phpMembers: Member[] = [
  { name: "root", type: T_ANY, validator: vldtTargetsExclusive("root") },
  { name: "script", type: T_ANY, validator: vldtTargetsExclusive("script") },
  { name: "index", type: T_ANY, validator: vldtTargetsExclusive("index") },
  { name: "targets", type: T_OBJECT, validator: vldtTargets(() => phpTargetMembers) },
  ...phpCommonMembers,
];

const phpNotargetsMembers: Member[] = [...phpTargetMembers, ...phpCommonMembers];

const perlMembers: Member[] = [
  { name: "script", type: T_STRING, required: true },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "thread_stack_size", type: T_INTEGER, validator: vldtThreadStackSize },
  ...commonMembers,
];

const rubyMembers: Member[] = [
  { name: "script", type: T_STRING, required: true },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "hooks", type: T_STRING },
  ...commonMembers,
];

const javaMembers: Member[] = [
  { name: "classpath", type: T_ARRAY, validator: arrayIterator(stringArrayElement("classpath", true)) },
  { name: "webapp", type: T_STRING, required: true },
  { name: "options", type: T_ARRAY, validator: arrayIterator(stringArrayElement("options", true)) },
  { name: "unit_jars", type: T_STRING },
  { name: "threads", type: T_INTEGER, validator: vldtThreads },
  { name: "thread_stack_size", type: T_INTEGER, validator: vldtThreadStackSize },
  ...commonMembers,
];

export type AppType = "external" | "python" | "php" | "perl" | "ruby" | "java";

/** nxt_app_parse_type on the part of a type string before the first space or digit. */
export function appParseType(type: string): { type: AppType | null; version: string } {
  let i = 0;
  while (i < type.length && type[i] !== " " && !(type[i]! >= "0" && type[i]! <= "9")) i++;
  const name = type.slice(0, i);
  const version = type[i] === " " ? type.slice(i + 1) : type.slice(i);
  const t: AppType | null =
    name === "external" || name === "go"
      ? "external"
      : name === "python" || name === "php" || name === "perl" || name === "ruby" || name === "java"
        ? name
        : null;
  return { type: t, version };
}

/** nxt_strvers_match: `prefix` matches `version` up to a version part boundary. */
export function strversMatch(version: string, prefix: string): boolean {
  if (prefix.length === 0) return true;
  if (!version.startsWith(prefix)) return false;
  if (version.length === prefix.length) return true;
  const isDigit = (c: string): boolean => c >= "0" && c <= "9";
  return isDigit(version[prefix.length - 1]!) !== isDigit(version[prefix.length]!);
}

/** nxt_app_lang_module: the first installed module of that type whose version matches. */
export function appLangModule(
  modules: readonly { type: string; version: string }[],
  type: string,
): { type: AppType; version: string } | null {
  const parsed = appParseType(type);
  if (parsed.type === null) return null;
  const installed = [{ type: "external", version: "" }, ...modules];
  for (const m of installed) {
    if (appParseType(m.type).type === parsed.type && strversMatch(m.version, parsed.version)) {
      return { type: parsed.type, version: m.version };
    }
  }
  return null;
}

export const vldtApp = (v: Vldt, name: string, value: Json, path: string[]): VErr | null => {
  const t = vldtType(name, value, T_OBJECT, path);
  if (t) return t;

  const typeValue = get(value, "type");
  if (typeValue === undefined) {
    return err(path, `Application must have the "type" property set.`);
  }
  const tt = vldtType("type", typeValue, T_STRING, [...path, "type"]);
  if (tt) return tt;

  const lang = appLangModule(v.opts.modules, typeValue as string);
  if (lang === null) {
    return err(
      [...path, "type"],
      `The module to run "${typeValue as string}" is not found among the available application modules.`,
    );
  }

  const hasTargets = get(value, "targets") !== undefined;
  switch (lang.type) {
    case "external":
      return vldtObject(v, value, externalMembers, path);
    case "python":
      return vldtObject(v, value, hasTargets ? pythonMembers : pythonNotargetsMembers, path);
    case "php":
      return vldtObject(v, value, hasTargets ? phpMembers : phpNotargetsMembers, path);
    case "perl":
      return vldtObject(v, value, perlMembers, path);
    case "ruby":
      return vldtObject(v, value, rubyMembers, path);
    case "java":
      return vldtObject(v, value, javaMembers, path);
  }
};

// JSON for people: indented, but an object or array that fits on its line stays on one line
// (a scenario's modules, maps and listeners read at a glance).

const WIDTH = 100;

/** `value` at `indent`, its first line starting `lead` characters further right (after a key). */
export function prettyJson(value: unknown, indent = 0, lead = 0): string {
  const flat = JSON.stringify(value);
  if (flat === undefined) return "null";
  if (typeof value !== "object" || value === null || indent + lead + flat.length <= WIDTH) return flat;
  const pad = " ".repeat(indent + 2);
  const items = Array.isArray(value)
    ? value.map((v) => pad + prettyJson(v, indent + 2))
    : Object.entries(value).map(([k, v]) => `${pad}${JSON.stringify(k)}: ${prettyJson(v, indent + 2, JSON.stringify(k).length + 2)}`);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return items.length === 0 ? `${open}${close}` : `${open}\n${items.join(",\n")}\n${" ".repeat(indent)}${close}`;
}

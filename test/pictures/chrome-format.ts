// A structural check of Chrome trace-event JSON (the JSON object form), as Perfetto and
// chrome://tracing read it: returns what is wrong, [] when nothing is.

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Fields each phase needs, beyond "ph" (see the Trace Event Format document). */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  M: ["name", "pid", "args"],
  i: ["name", "ts", "pid", "tid", "s"],
  X: ["name", "ts", "dur", "pid", "tid"],
  s: ["name", "cat", "id", "ts", "pid", "tid"],
  f: ["name", "cat", "id", "ts", "pid", "tid"],
};

export function chromeTraceProblems(json: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(json) || !Array.isArray(json["traceEvents"])) return ['not an object with a "traceEvents" array'];
  const events = json["traceEvents"] as unknown[];
  const processNames = new Set<number>();
  const threadNames = new Set<string>();
  const lastTs = new Map<string, number>();
  const flows = new Map<unknown, { s: number; f: number; sTs: number; fTs: number }>();
  const tracks = new Set<string>();
  events.forEach((e, i) => {
    if (!isObj(e)) return void problems.push(`event ${i}: not an object`);
    const ph = e["ph"];
    const required = typeof ph === "string" ? REQUIRED[ph] : undefined;
    if (required === undefined) return void problems.push(`event ${i}: unknown phase ${JSON.stringify(ph)}`);
    for (const f of required) if (e[f] === undefined) problems.push(`event ${i} (${ph}): no "${f}"`);
    if (ph === "M") {
      const name = (e["args"] as Obj | undefined)?.["name"];
      if (e["name"] === "process_name" && typeof name === "string" && name !== "") processNames.add(e["pid"] as number);
      if (e["name"] === "thread_name" && typeof name === "string" && name !== "") threadNames.add(`${e["pid"]}/${e["tid"]}`);
      return;
    }
    if (!isNum(e["ts"]) || !Number.isInteger(e["pid"]) || !Number.isInteger(e["tid"])) return void problems.push(`event ${i}: ts, pid and tid must be numbers`);
    const track = `${e["pid"]}/${e["tid"]}`;
    tracks.add(track);
    const ts = e["ts"] as number;
    if (ph === "i" || ph === "X") {
      if (ts < (lastTs.get(track) ?? -Infinity)) problems.push(`event ${i}: ts ${ts} goes back on track ${track}`);
      lastTs.set(track, ph === "X" ? ts + (e["dur"] as number) : ts);
    }
    if (ph === "X" && !(isNum(e["dur"]) && e["dur"] >= 0)) problems.push(`event ${i}: dur must be a non-negative number`);
    if (ph === "i" && !["t", "p", "g"].includes(e["s"] as string)) problems.push(`event ${i}: bad instant scope ${JSON.stringify(e["s"])}`);
    if (ph === "s" || ph === "f") {
      const flow = flows.get(e["id"]) ?? { s: 0, f: 0, sTs: NaN, fTs: NaN };
      if (ph === "s") {
        flow.s++;
        flow.sTs = ts;
      } else {
        flow.f++;
        flow.fTs = ts;
        if (e["bp"] !== "e") problems.push(`event ${i}: flow end without "bp": "e" does not bind to its slice`);
      }
      flows.set(e["id"], flow);
    }
  });
  for (const [id, f] of flows) {
    if (f.s !== 1 || f.f !== 1) problems.push(`flow ${String(id)}: ${f.s} starts and ${f.f} ends`);
    else if (!(f.sTs <= f.fTs)) problems.push(`flow ${String(id)}: ends before it starts`);
  }
  for (const track of tracks) {
    if (!processNames.has(Number(track.split("/")[0]))) problems.push(`track ${track}: no process_name`);
    if (!threadNames.has(track)) problems.push(`track ${track}: no thread_name`);
  }
  return problems;
}

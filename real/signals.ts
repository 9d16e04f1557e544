// Signal numbers to the names Node's process.on and process.kill take.

import { constants } from "node:os";

/** First name wins: SIGABRT before its alias SIGIOT. */
const NAMES = new Map<number, NodeJS.Signals>();
for (const [name, num] of Object.entries(constants.signals)) if (!NAMES.has(num)) NAMES.set(num, name as NodeJS.Signals);

export function signalName(sig: number): NodeJS.Signals {
  const name = NAMES.get(sig);
  if (name === undefined) throw new Error(`unknown signal number ${sig}`);
  return name;
}

// What every picture of a run starts from: the trace's processes, its messages paired, and
// each event described once.

import type { TraceEvent } from "../../lifecycle/trace.ts";
import { describeEvent, type Described } from "./describe.ts";
import { pairMessages, type Message } from "./messages.ts";
import { labeller, processesOf, type PictureProcess } from "./processes.ts";

export interface SceneEvent extends Described {
  /** Index in the trace. */
  index: number;
  event: TraceEvent;
  /** The message of a send or recv. */
  message: Message | undefined;
}

export interface Scene {
  processes: PictureProcess[];
  name: (pid: number) => string;
  events: SceneEvent[];
  messages: readonly Message[];
}

export function sceneOf(trace: readonly TraceEvent[]): Scene {
  const processes = processesOf(trace);
  const name = labeller(processes);
  const { messages, byEvent } = pairMessages(trace);
  const events = trace.map((event, index) => {
    const message = byEvent.get(index);
    return { index, event, message, ...describeEvent(event, name, message) };
  });
  return { processes, name, events, messages };
}

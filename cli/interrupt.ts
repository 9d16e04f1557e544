// Ctrl-C (SIGINT) or SIGTERM during explore: the first one asks the exploration to stop (it
// finishes the run or chunks under way and reports what it found); a second one exits at once.

/** As a shell reports a command ended by SIGINT; explore exits with it for SIGTERM too. */
export const INTERRUPTED = 130;

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export interface InterruptWatch {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** The first signal received, or null. */
  received(): string | null;
  /** Gives the signals back their default action. */
  dispose(): void;
}

export function watchInterrupts(): InterruptWatch {
  const abort = new AbortController();
  let first: string | null = null;
  const onSignal = (name: string): void => {
    if (first !== null) process.exit(INTERRUPTED);
    first = name;
    abort.abort();
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: abort.signal,
    received: () => first,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}

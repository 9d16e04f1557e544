// The scenario generator: a scenario "genome" (small shrinkable values that map to a valid
// Unit scenario, properties/genome-scenario.ts) and its fast-check arbitrary. ONE generator
// serves the property suite (fast-check draws and shrinks genomes) and explore (a run's seed
// draws one genome, harness/generated.ts).
//
// A genome holds unitd's options (user, first pid, pid_max), 1 to 3 applications (process
// count, user, isolation) and timed actions from 0 ms on (during discovery and the first
// handshakes too; equal times are common): a signal (SIGKILL, SIGTERM, SIGQUIT, SIGINT) to any
// role, main included, and reconfigurations that add, remove or change an application.
// Everything shrinks toward the simplest run: one app of one process, namespaces off, fewer
// actions, earlier times, default pids.
//
// Unit's dynamic process count rides on two fields drawn last (so that the fields before them
// draw as they did before they existed): the object form `processes: {max, spare,
// idle_timeout}` for some of the initial applications, and request loads that make the router
// start processes up to max (the idle ones stop after idle_timeout).
//
// To add a field: add it (drawn last, for the same reason) and write it out in
// genome-scenario.ts; the loader then checks it with Unit's rules like every other field
// (test/properties/genome.test.ts).

import fc from "fast-check";

export const SIGNALS = ["SIGKILL", "SIGTERM", "SIGQUIT", "SIGINT"] as const;
export type GenomeSignal = (typeof SIGNALS)[number];
export const ROLES = ["main", "controller", "router", "discovery", "prototype", "app"] as const;
export type GenomeRole = (typeof ROLES)[number];
/** Users of the default user database (lifecycle/credential.ts DEFAULT_USER_DB) an app or unitd may run as. */
export const USERS = ["nobody", "www-data", "unit"] as const;

export interface AppGenome {
  processes: number;
  /** The app's user; absent in older genomes: nobody. */
  user?: (typeof USERS)[number];
  credential: boolean;
  pid: boolean;
  network: boolean;
  uname: boolean;
  mount: boolean;
  maps: boolean;
}

/** `app` and `index` pick among the apps (and processes) present when the action comes, modulo their number. */
export type ActionGenome =
  | { kind: "signal"; at: number; role: GenomeRole; app: number; index: number; signal: GenomeSignal }
  | { kind: "remove-app"; at: number; app: number }
  | { kind: "add-app"; at: number; conf: AppGenome }
  | { kind: "change-app"; at: number; app: number; conf: AppGenome };

/** Unit's object form of an app's `processes` (spare is capped at max when written out). */
export interface ProcessesForm {
  max: number;
  spare: number;
  /** Seconds. */
  idleTimeout: number;
}

/** `count` requests for the app picked by `app` (modulo the apps present at `at`), each lasting `duration` ms. */
export interface RequestGenome {
  at: number;
  app: number;
  count: number;
  duration: number;
}

export interface Genome {
  /** unitd's --user; absent in older genomes: nobody. */
  user?: (typeof USERS)[number];
  firstPid: number;
  pidMax: number;
  apps: AppGenome[];
  actions: ActionGenome[];
  /** Per initial app, by index: its process count in Unit's object form (null or absent: the integer). */
  processForms?: (ProcessesForm | null)[];
  /** Request loads (absent in older genomes: none). */
  requests?: RequestGenome[];
}

export const appGenomeArb: fc.Arbitrary<AppGenome> = fc.record({
  processes: fc.integer({ min: 1, max: 3 }),
  user: fc.constantFrom(...USERS),
  credential: fc.boolean(),
  pid: fc.boolean(),
  network: fc.boolean(),
  uname: fc.boolean(),
  mount: fc.boolean(),
  maps: fc.boolean(),
});

/**
 * Virtual ms (about one per step): a third in the first 12 ms, while discovery runs and the
 * controller and router start (so often several in one ms), then the first app starts, then later.
 */
const at: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 3000 }));

export const actionGenomeArb: fc.Arbitrary<ActionGenome> = fc.oneof(
  fc.record({
    kind: fc.constant("signal" as const),
    at,
    role: fc.constantFrom(...ROLES),
    app: fc.nat({ max: 3 }),
    index: fc.nat({ max: 3 }),
    signal: fc.constantFrom(...SIGNALS),
  }),
  fc.record({ kind: fc.constant("remove-app" as const), at, app: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant("add-app" as const), at, conf: appGenomeArb }),
  fc.record({ kind: fc.constant("change-app" as const), at, app: fc.nat({ max: 3 }), conf: appGenomeArb }),
);

export const processesFormArb: fc.Arbitrary<ProcessesForm> = fc.record({
  max: fc.integer({ min: 1, max: 3 }),
  spare: fc.integer({ min: 0, max: 3 }),
  idleTimeout: fc.integer({ min: 0, max: 3 }),
});

export const requestGenomeArb: fc.Arbitrary<RequestGenome> = fc.record({
  at,
  app: fc.nat({ max: 3 }),
  count: fc.integer({ min: 1, max: 4 }),
  duration: fc.integer({ min: 0, max: 2000 }),
});

/** Host pids that start low make clashes with namespace pids (2, 3, ...) likely. */
export const genomeArb: fc.Arbitrary<Genome> = fc.record({
  user: fc.constantFrom(...USERS),
  firstPid: fc.constantFrom(100, 2, 3, 4, 5, 7),
  pidMax: fc.constantFrom(32768, 320),
  apps: fc.array(appGenomeArb, { minLength: 1, maxLength: 3 }),
  actions: fc.array(actionGenomeArb, { maxLength: 5 }),
  processForms: fc.array(fc.option(processesFormArb, { nil: null }), { maxLength: 3 }),
  requests: fc.array(requestGenomeArb, { maxLength: 3 }),
});

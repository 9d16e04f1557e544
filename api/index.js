// Entry of the library for plain Node: compiles the TypeScript API (api/index.ts) with tsx, in
// a loader namespace of its own (the importing program's own modules load as before), and
// re-exports it. The types come from api/index.ts (package.json "exports").

import { tsImport } from "tsx/esm/api";

const api = await tsImport("./index.ts", import.meta.url);

export const {
  FAULT_KINDS,
  KNOWN_FIXES,
  KNOWN_MUTANTS,
  UsageError,
  explore,
  exploreSummary,
  listScenarios,
  loadScenario,
  mergeResults,
  noFaults,
  parseScenario,
  portMsgCode,
  readResultFile,
  registerCheck,
  replayRepro,
  runChecks,
  runScenario,
  scenarioByName,
} = api;

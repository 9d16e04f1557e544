// Entry of an exploration worker thread. A worker does not inherit the tsx loader that
// bin/nxtsim.js registered in the main thread, so it registers it again, as bin/nxtsim.js does,
// before loading the TypeScript worker.

import { register } from "tsx/esm/api";

register();
await import(new URL("./explore-worker.ts", import.meta.url).href);

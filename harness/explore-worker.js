// Entry of an exploration worker thread: the bundle of explore-worker.ts that the main thread
// built before starting its workers (harness/workers.ts, harness/bundle.ts). A worker does not
// inherit the tsx loader of the main thread, and compiling the sources again through tsx in
// every worker cost it over a second at start; the bundle loads in a few hundred ms.

await import(new URL("./explore-worker.bundle.mjs", import.meta.url).href);

// A harness that only builds one bundle (harness/bundle.ts), for the test that kills it
// while esbuild runs: node --import tsx bundle-child.ts ENTRY OUT

import { bundleOnce } from "../../harness/bundle.ts";

bundleOnce(process.argv[2]!, process.argv[3]!);

// An example property (README, "Walk-through"): Unit's send matrix tells an application
// process of no other process's port, so no NEW_PORT ever reaches an app.
import type { Check } from "../check.ts";
import { portMsgCode } from "../unit-rules.ts";

const NEW_PORT = portMsgCode("NEW_PORT");

export const appsLearnNoPorts: Check = {
  name: "apps-learn-no-ports",
  claim: "no application process receives a NEW_PORT",
  check: (run) =>
    run.trace.flatMap((e) =>
      e.kind === "recv" && e.ptype === "app" && (e.msg as { type: number }).type === NEW_PORT
        ? [{ check: "apps-learn-no-ports", reason: `app ${e.pid} received a NEW_PORT from pid ${e.from}`, step: e.step }]
        : [],
    ),
};

import { describe, expect, test } from "vitest";
import { appLangModule, confValidate, strversMatch, type ConfValidateOptions } from "../../lifecycle/conf-validation.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { buildHasNoNewPrivs, UNIT_VERSIONS } from "../../lifecycle/options.ts";

const opts = {
  havePrSetNoNewPrivs: false,
  modules: [
    { type: "python", version: "3.10.6" },
    { type: "php", version: "8.1.2" },
    { type: "perl", version: "5.34.0" },
    { type: "ruby", version: "3.0.2" },
    { type: "java", version: "17.0.3" },
  ],
};

function app(a: Json): Json {
  return { applications: { a } };
}

function detail(conf: Json, o: ConfValidateOptions = opts): [string, string] | "ok" {
  const r = confValidate(conf, o);
  return r.ok ? "ok" : [r.path, r.detail];
}

describe("confValidate: accepted configurations", () => {
  test.each([
    ["empty", {}],
    ["external", app({ type: "external", executable: "/bin/app", arguments: ["-v"] })],
    ["go alias", app({ type: "go", executable: "/bin/app" })],
    ["python", app({ type: "python", module: "wsgi", processes: 2, user: "nobody", environment: { A: "1" } })],
    ["python targets", app({ type: "python 3", targets: { t: { module: "m", callable: "c" } } })],
    ["python 3.10", app({ type: "python 3.10", module: "m", processes: { max: 4, spare: 1, idle_timeout: 20 } })],
    ["php", app({ type: "php", root: "/srv", options: { admin: { memory_limit: "1G" } } })],
    ["perl", app({ type: "perl", script: "/app.psgi", threads: 2 })],
    ["ruby", app({ type: "ruby", script: "/config.ru", hooks: "/h.rb" })],
    ["java", app({ type: "java", webapp: "/app.war", classpath: ["/a.jar"], thread_stack_size: 65536 })],
    [
      "isolation",
      app({
        type: "python",
        module: "m",
        isolation: {
          namespaces: { credential: true, pid: true, network: true, mount: true, uname: true, cgroup: true },
          uidmap: [{ container: 0, host: 1000, size: 1 }],
          gidmap: [{ container: 0, host: 1000, size: 1 }],
          rootfs: "/var/app",
          automount: { language_deps: false, tmpfs: true, procfs: false },
        },
      }),
    ],
    [
      "listeners, routes, settings, access_log",
      {
        listeners: { "*:80": { pass: "routes" }, "127.0.0.1:8080": { pass: "applications/a" }, "[::1]:81": { pass: "upstreams/u" } },
        routes: [{ match: { uri: "/x", scheme: "https" }, action: { return: 404 } }, { action: { share: "/srv$uri" } }],
        upstreams: { u: { servers: { "127.0.0.1:9000": { weight: 0.5 } } } },
        applications: { a: { type: "python", module: "m" } },
        settings: { http: { idle_timeout: 30, static: { mime_types: { "text/plain": [".log", ".txt"] } } } },
        access_log: "/var/log/access.log",
      },
    ],
    // c8d9106a quirk: an integer "processes" is never range-checked.
    ["processes 0 accepted at c8d9106a", app({ type: "python", module: "m", processes: 0 })],
  ])("%s", (_name, conf) => {
    expect(detail(conf as Json)).toBe("ok");
  });
});

describe("confValidate: Unit's error texts, with the path", () => {
  test.each([
    ["not an object", [], "", "The configuration must be an object, but not an array."],
    ["unknown root key", { foo: 1 }, "foo", 'Unknown parameter "foo".'],
    ["unknown app key", app({ type: "python", module: "m", foo: 1 }), "applications/a/foo", 'Unknown parameter "foo".'],
    ["app not an object", app("x"), "applications/a", 'The "a" value must be an object, but not a string.'],
    ["no type", app({ module: "m" }), "applications/a", 'Application must have the "type" property set.'],
    ["type not a string", app({ type: 3 }), "applications/a/type", 'The "type" value must be a string, but not an integer number.'],
    [
      "module not installed",
      app({ type: "python 2.7", module: "m" }),
      "applications/a/type",
      'The module to run "python 2.7" is not found among the available application modules.',
    ],
    ["python without module", app({ type: "python" }), "applications/a", 'Required parameter "module" is missing.'],
    [
      "python module with targets",
      app({ type: "python", module: "m", targets: { t: { module: "x" } } }),
      "applications/a/module",
      'The "module" option is mutually exclusive with the "targets" object.',
    ],
    ["php without root", app({ type: "php" }), "applications/a", 'Required parameter "root" is missing.'],
    ["perl without script", app({ type: "perl" }), "applications/a", 'Required parameter "script" is missing.'],
    ["ruby without script", app({ type: "ruby" }), "applications/a", 'Required parameter "script" is missing.'],
    ["java without webapp", app({ type: "java" }), "applications/a", 'Required parameter "webapp" is missing.'],
    ["external without executable", app({ type: "external" }), "applications/a", 'Required parameter "executable" is missing.'],
    [
      "processes fractional",
      app({ type: "python", module: "m", processes: 1.5 }),
      "applications/a/processes",
      'The "processes" value must be either an integer number or an object, but not a fractional number.',
    ],
    [
      "processes spare above max",
      app({ type: "python", module: "m", processes: { max: 2, spare: 3 } }),
      "applications/a/processes",
      'The "spare" number must be less than or equal to "max".',
    ],
    // nxt_conf_vldt_processes' object checks, in its order, with its defaults (spare 0, max 1).
    ["processes spare above the default max", app({ type: "python", module: "m", processes: { spare: 2 } }), "applications/a/processes", 'The "spare" number must be less than or equal to "max".'],
    ["processes spare negative", app({ type: "python", module: "m", processes: { spare: -1, max: 0 } }), "applications/a/processes", 'The "spare" number must not be negative.'],
    ["processes max 0", app({ type: "python", module: "m", processes: { max: 0 } }), "applications/a/processes", 'The "max" number must be equal to or greater than 1.'],
    ["processes max too big", app({ type: "python", module: "m", processes: { max: 2147483648 } }), "applications/a/processes", 'The "max" number must not exceed 2147483647.'],
    ["processes idle_timeout negative", app({ type: "python", module: "m", processes: { idle_timeout: -1 } }), "applications/a/processes", 'The "idle_timeout" number must not be negative.'],
    ["processes idle_timeout too big", app({ type: "python", module: "m", processes: { idle_timeout: 2147484 } }), "applications/a/processes", 'The "idle_timeout" number must not exceed 2147483.'],
    ["processes max not an integer", app({ type: "python", module: "m", processes: { max: "3" } }), "applications/a/processes/max", 'The "max" value must be an integer number, but not a string.'],
    [
      "processes unknown member",
      app({ type: "python", module: "m", processes: { min: 1 } }),
      "applications/a/processes/min",
      'Unknown parameter "min".',
    ],
    [
      "user not a string",
      app({ type: "python", module: "m", user: 0 }),
      "applications/a/user",
      'The "user" value must be a string, but not an integer number.',
    ],
    [
      "environment value",
      app({ type: "python", module: "m", environment: { A: 1 } }),
      "applications/a/environment/A",
      'The "A" environment value must be a string.',
    ],
    [
      "new_privs unknown at c8d9106a",
      app({ type: "python", module: "m", isolation: { new_privs: true } }),
      "applications/a/isolation/new_privs",
      'Unknown parameter "new_privs".',
    ],
    [
      "unknown namespace",
      app({ type: "python", module: "m", isolation: { namespaces: { ipc: true } } }),
      "applications/a/isolation/namespaces/ipc",
      'Unknown parameter "ipc".',
    ],
    [
      "namespace not boolean",
      app({ type: "python", module: "m", isolation: { namespaces: { pid: 1 } } }),
      "applications/a/isolation/namespaces/pid",
      'The "pid" value must be a boolean, but not an integer number.',
    ],
    [
      "uidmap element not an object",
      app({ type: "python", module: "m", isolation: { uidmap: [1] } }),
      "applications/a/isolation/uidmap/0",
      'The "uidmap" array must contain only object values.',
    ],
    [
      "gidmap entry without host",
      app({ type: "python", module: "m", isolation: { gidmap: [{ container: 0, size: 1 }] } }),
      "applications/a/isolation/gidmap/0",
      'The gid_map requires the "host" field set.',
    ],
    [
      "uidmap entry unknown member",
      app({ type: "python", module: "m", isolation: { uidmap: [{ container: 0, host: 0, size: 1, x: 1 }] } }),
      "applications/a/isolation/uidmap/0/x",
      'Unknown parameter "x".',
    ],
    [
      "rootfs not a string",
      app({ type: "python", module: "m", isolation: { rootfs: true } }),
      "applications/a/isolation/rootfs",
      'The "rootfs" value must be a string, but not a boolean.',
    ],
    [
      "threads below 1",
      app({ type: "perl", script: "s", threads: 0 }),
      "applications/a/threads",
      'The "threads" number must be equal to or greater than 1.',
    ],
    [
      "listener to a missing app",
      { listeners: { "*:80": { pass: "applications/b" } }, applications: { a: { type: "python", module: "m" } } },
      "listeners/*:80/pass",
      'Request "pass" points to invalid location "applications/b".',
    ],
    ["listener address", { listeners: { "localhost:80": {} } }, "listeners/localhost:80", 'The listener address "localhost:80" is invalid.'],
    [
      "routes element",
      { routes: ["x"] },
      "routes/0",
      'The "routes" array must contain only object values.',
    ],
    [
      "action without a kind",
      { routes: [{ action: {} }] },
      "routes/0/action",
      'The "action" object must have either "pass", "return", "share", or "proxy" option set.',
    ],
    [
      "settings key",
      { settings: { http: { timeout: 1 } } },
      "settings/http/timeout",
      'Unknown parameter "timeout".',
    ],
    [
      "access_log type",
      { access_log: 1 },
      "access_log",
      'The "access_log" value must be a string, but not an integer number.',
    ],
    [
      "upstream without servers",
      { upstreams: { u: {} } },
      "upstreams/u",
      'The "u" upstream must contain "servers" object value.',
    ],
  ])("%s", (_name, conf, path, text) => {
    const r = confValidate(conf as Json, opts);
    expect(r).toEqual({ ok: false, error: "Invalid configuration.", detail: text, path });
  });

  test("new_privs is a boolean member when the build has PR_SET_NO_NEW_PRIVS", () => {
    const conf = app({ type: "python", module: "m", isolation: { new_privs: true } });
    expect(detail(conf, { ...opts, havePrSetNoNewPrivs: true })).toBe("ok");
    expect(detail(app({ type: "python", module: "m", isolation: { new_privs: "yes" } }), { ...opts, havePrSetNoNewPrivs: true })).toEqual([
      "applications/a/isolation/new_privs",
      'The "new_privs" value must be a boolean, but not a string.',
    ]);
  });

  // Unit versions (lifecycle/options.ts): what a later Unit's validator says differently.
  test("1.35 (763396b8) accepts new_privs, c8d9106a rejects it as Unit did", () => {
    const conf = app({ type: "python", module: "m", isolation: { new_privs: false } });
    expect(detail(conf)).toEqual(["applications/a/isolation/new_privs", 'Unknown parameter "new_privs".']);
    const v135 = { ...opts, havePrSetNoNewPrivs: buildHasNoNewPrivs(false, UNIT_VERSIONS["1.35"]), upstream: UNIT_VERSIONS["1.35"] };
    expect(detail(conf, v135)).toBe("ok");
  });

  test("9e986704: an integer \"processes\" is checked from then on", () => {
    const with9e = { ...opts, upstream: ["9e986704" as const] };
    for (const [n, text] of [
      [0, 'The "processes" number must be equal to or greater than 1.'],
      [-3, 'The "processes" number must be equal to or greater than 1.'],
      [2 ** 31, 'The "processes" number must not exceed 2147483647.'],
    ] as const) {
      expect(detail(app({ type: "python", module: "m", processes: n }))).toBe("ok");
      expect(detail(app({ type: "python", module: "m", processes: n }), with9e)).toEqual(["applications/a/processes", text]);
    }
    expect(detail(app({ type: "python", module: "m", processes: 4 }), with9e)).toBe("ok");
  });

  test("eba7378d: a missing uidmap field is the generic required-member error; 990fbe70: -1 is accepted", () => {
    const missing = app({ type: "python", module: "m", isolation: { namespaces: { credential: true }, uidmap: [{ host: 1000, size: 1 }] } });
    const minusOne = app({ type: "python", module: "m", isolation: { namespaces: { credential: true }, uidmap: [{ container: -1, host: 1000, size: 1 }] } });
    const at = "applications/a/isolation/uidmap/0";
    expect(detail(missing)).toEqual([at, 'The uid_map requires the "container" field set.']);
    expect(detail(missing, { ...opts, upstream: ["eba7378d"] })).toEqual([at, 'Required parameter "container" is missing.']);
    expect(detail(minusOne, { ...opts, upstream: ["eba7378d"] })).toEqual([at, 'The uid_map requires the "container" field set.']);
    expect(detail(minusOne, { ...opts, upstream: ["eba7378d", "990fbe70"] })).toBe("ok");
  });

  test("the app type must match an installed module; external is always installed", () => {
    expect(detail(app({ type: "python", module: "m" }), { ...opts, modules: [] })).toEqual([
      "applications/a/type",
      'The module to run "python" is not found among the available application modules.',
    ]);
    expect(detail(app({ type: "external", executable: "/x" }), { ...opts, modules: [] })).toBe("ok");
  });
});

describe("module version matching (nxt_strvers_match)", () => {
  test("prefixes match only at version part boundaries", () => {
    expect(strversMatch("3.10.6", "3")).toBe(true);
    expect(strversMatch("3.10.6", "3.10")).toBe(true);
    expect(strversMatch("3.10.6", "3.1")).toBe(false);
    expect(strversMatch("3.10.6", "")).toBe(true);
    expect(appLangModule(opts.modules, "python3.10")?.version).toBe("3.10.6");
    expect(appLangModule(opts.modules, "python 3.9")).toBeNull();
    expect(appLangModule(opts.modules, "cobol")).toBeNull();
  });
});

{
  "targets": [
    {
      "target_name": "nxtsim_native",
      "sources": [
        "src/addon.c",
        "src/util.c",
        "src/spawn.c",
        "src/sock.c",
        "src/watch.c",
        "src/proc.c",
        "src/counter.c",
        "src/ids.c",
        "src/mount.c",
        "src/pipe.c"
      ],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror"]
    }
  ]
}

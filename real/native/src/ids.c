/* The calls the real kernel's model seam needs as Unit makes them: setuid/setgid with their
 * own privileged/unprivileged rules (not setres*), and pidfd_open for orphans to reap. */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYS_PIDFD_OPEN 434

static bool get_id(napi_env env, napi_callback_info info, int64_t *id) {
  napi_value argv[1];
  return get_args(env, info, 1, argv) && get_int64(env, argv[0], "id", id);
}

napi_value native_setuid(napi_env env, napi_callback_info info) {
  int64_t id;
  if (!get_id(env, info, &id)) return NULL;
  /* glibc's setuid broadcasts to every thread (raw syscalls would set only this one). */
  if (setuid((uid_t)id) < 0) return throw_errno(env, errno, "setuid");
  return make_undefined(env);
}

napi_value native_setgid(napi_env env, napi_callback_info info) {
  int64_t id;
  if (!get_id(env, info, &id)) return NULL;
  if (setgid((gid_t)id) < 0) return throw_errno(env, errno, "setgid");
  return make_undefined(env);
}

napi_value native_pidfd_open(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int pid;
  if (!get_args(env, info, 1, argv) || !get_fd(env, argv[0], "pid", &pid)) return NULL;
  long fd = syscall(SYS_PIDFD_OPEN, pid, 0);
  if (fd < 0) return throw_errno(env, errno, "pidfd_open");
  return make_int(env, fd);
}

/* abort(3), exactly as Unit's nxt_assert ends a C process: SIGABRT, or (for a pid-namespace
 * init, which its own SIGABRT cannot kill) glibc's fallback instruction, SIGSEGV on x86. */
napi_value native_abort_now(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  /* No core file left behind: a limit of 1 refuses both a file (smaller than a page) and a
   * core_pattern pipe (the kernel reserves 1 to mean "do not dump"). */
  struct rlimit one = {1, 1};
  setrlimit(RLIMIT_CORE, &one);
  abort();
}

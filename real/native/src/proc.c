/* Process-level calls: pidfd wait/signal, prctl, credentials, in-process execve. */
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define SYS_PIDFD_SEND_SIGNAL 424

napi_value native_pidfd_wait(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int pidfd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, argv[0], "pidfd", &pidfd)) return NULL;
  siginfo_t si = {0};
  int r;
  do r = waitid(P_PIDFD, pidfd, &si, WEXITED | WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "waitid");
  napi_value result, how;
  if (si.si_pid == 0) { /* still running */
    napi_get_null(env, &result);
    return result;
  }
  const char *name = si.si_code == CLD_EXITED ? "exited" : si.si_code == CLD_KILLED ? "killed" : "dumped";
  napi_create_object(env, &result);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &how);
  napi_set_named_property(env, result, "how", how);
  napi_set_named_property(env, result, "status", make_int(env, si.si_status));
  return result;
}

napi_value native_pidfd_send_signal(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int pidfd, sig;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "pidfd", &pidfd) || !get_int32(env, argv[1], "sig", &sig))
    return NULL;
  if (syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, sig, NULL, 0) < 0) return throw_errno(env, errno, "pidfd_send_signal");
  return make_undefined(env);
}

static napi_value prctl_call(napi_env env, int option, unsigned long value) {
  if (prctl(option, value, 0, 0, 0) < 0) return throw_errno(env, errno, "prctl");
  return make_undefined(env);
}

/* Per thread (the calling one): threads created later and anything this thread execs inherit it. */
napi_value native_set_no_new_privs(napi_env env, napi_callback_info info) {
  return prctl_call(env, PR_SET_NO_NEW_PRIVS, 1);
}

napi_value native_set_child_subreaper(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  bool on;
  if (!get_args(env, info, 1, argv) || !get_bool(env, argv[0], "on", &on)) return NULL;
  return prctl_call(env, PR_SET_CHILD_SUBREAPER, on ? 1 : 0);
}

napi_value native_set_pdeathsig(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int sig;
  if (!get_args(env, info, 1, argv) || !get_int32(env, argv[0], "sig", &sig)) return NULL;
  return prctl_call(env, PR_SET_PDEATHSIG, (unsigned long)sig);
}

/* The id setters go through glibc, which applies them to every thread of the process. */
napi_value native_setgroups(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t len;
  bool is_array = false;
  if (!get_args(env, info, 1, argv)) return NULL;
  napi_is_array(env, argv[0], &is_array);
  if (!is_array) return throw_type(env, "gids must be an array");
  napi_get_array_length(env, argv[0], &len);
  gid_t *gids = malloc((len ? len : 1) * sizeof *gids);
  if (gids == NULL) return throw_errno(env, ENOMEM, "malloc");
  for (uint32_t i = 0; i < len; i++) {
    napi_value item;
    int64_t gid;
    napi_get_element(env, argv[0], i, &item);
    if (!get_int64(env, item, "gids", &gid)) {
      free(gids);
      return NULL;
    }
    gids[i] = (gid_t)gid;
  }
  int r = setgroups(len, gids);
  int err = errno;
  free(gids);
  if (r < 0) return throw_errno(env, err, "setgroups");
  return make_undefined(env);
}

/* -1 leaves an id unchanged, as in C. */
static bool get_ids(napi_env env, napi_callback_info info, int64_t ids[3]) {
  napi_value argv[3];
  return get_args(env, info, 3, argv) && get_int64(env, argv[0], "r", &ids[0]) &&
         get_int64(env, argv[1], "e", &ids[1]) && get_int64(env, argv[2], "s", &ids[2]);
}

napi_value native_setresgid(napi_env env, napi_callback_info info) {
  int64_t ids[3];
  if (!get_ids(env, info, ids)) return NULL;
  if (setresgid((gid_t)ids[0], (gid_t)ids[1], (gid_t)ids[2]) < 0) return throw_errno(env, errno, "setresgid");
  return make_undefined(env);
}

napi_value native_setresuid(napi_env env, napi_callback_info info) {
  int64_t ids[3];
  if (!get_ids(env, info, ids)) return NULL;
  if (setresuid((uid_t)ids[0], (uid_t)ids[1], (uid_t)ids[2]) < 0) return throw_errno(env, errno, "setresuid");
  return make_undefined(env);
}

napi_value native_reexec(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  char *file = get_string(env, argv[0], "file");
  char **args = file ? get_strv(env, argv[1], "argv") : NULL;
  char **envp = args ? get_strv(env, argv[2], "envp") : NULL;
  size_t nkeep = 0;
  int *keep = envp ? get_fd_array(env, argv[3], "keepFds", &nkeep) : NULL;
  if (keep != NULL) {
    int err = 0;
    const char *failed = NULL;
    /* Node sets FD_CLOEXEC on its 0..2; a missing one (EBADF) is passed on as a hole. */
    for (int fd = 0; fd < 3 && failed == NULL; fd++)
      if (clear_cloexec(fd) < 0 && errno != EBADF) err = errno, failed = "fcntl";
    for (size_t i = 0; i < nkeep && failed == NULL; i++)
      if (clear_cloexec(keep[i]) < 0) err = errno, failed = "fcntl";
    if (failed == NULL) {
      execve(file, args, envp);
      err = errno, failed = "execve";
    }
    throw_errno(env, err, failed);
  }
  free(file);
  free_strv(args);
  free_strv(envp);
  free(keep);
  return NULL;
}

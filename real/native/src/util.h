/* Shared helpers: errno errors shaped like Node's, and argument conversion.
 * Every helper that fails has already thrown a JS exception and returns false/NULL, so the
 * caller just returns NULL to JS. */
#ifndef NXTSIM_UTIL_H
#define NXTSIM_UTIL_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

/* Throw Error{message, code: "EAGAIN", errno: 11, syscall}; returns NULL for `return throw_errno(...)`. */
napi_value throw_errno(napi_env env, int err, const char *syscall);
/* Throw TypeError with code ERR_INVALID_ARG_TYPE; returns NULL. */
napi_value throw_type(napi_env env, const char *message);
/* Build (not throw) the errno error object, for callers that must clean up first. */
napi_value make_errno_error(napi_env env, int err, const char *syscall);

/* Read exactly `n` arguments (missing ones are undefined). */
bool get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv);

bool get_int32(napi_env env, napi_value v, const char *what, int32_t *out);
bool get_int64(napi_env env, napi_value v, const char *what, int64_t *out);
bool get_fd(napi_env env, napi_value v, const char *what, int *out);
bool get_bool(napi_env env, napi_value v, const char *what, bool *out);
bool is_undefined(napi_env env, napi_value v);
/* Optional property: *out = NULL when absent or undefined. */
bool get_prop(napi_env env, napi_value obj, const char *key, napi_value *out);

/* malloc'ed NUL-terminated copy; free() it. */
char *get_string(napi_env env, napi_value v, const char *what);
/* malloc'ed NULL-terminated array of malloc'ed strings, for execve; free with free_strv. */
char **get_strv(napi_env env, napi_value v, const char *what);
void free_strv(char **strv);
/* malloc'ed array of fds (each >= 0), never NULL on success; *count gets the length; free() it. */
int *get_fd_array(napi_env env, napi_value v, const char *what, size_t *count);

napi_value make_int(napi_env env, int64_t n);
napi_value make_undefined(napi_env env);
/* [a, b]: the two fds of a socketpair or a pipe. */
napi_value make_fd_pair(napi_env env, int a, int b);

/* Clear FD_CLOEXEC on fd; async-signal-safe; returns 0 or -1 with errno. */
int clear_cloexec(int fd);

#endif

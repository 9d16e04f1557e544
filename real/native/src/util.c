#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

napi_value make_errno_error(napi_env env, int err, const char *syscall) {
  const char *code = strerrorname_np(err);
  char codebuf[16];
  if (code == NULL) {
    snprintf(codebuf, sizeof codebuf, "E%d", err);
    code = codebuf;
  }
  /* Same shape as Node's own system errors: "EAGAIN: Resource temporarily unavailable, sendmsg". */
  char message[256];
  snprintf(message, sizeof message, "%s: %s, %s", code, strerror(err), syscall);
  napi_value msg, error, code_v, errno_v, syscall_v;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_v);
  napi_create_int32(env, err, &errno_v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_v);
  napi_set_named_property(env, error, "code", code_v);
  napi_set_named_property(env, error, "errno", errno_v);
  napi_set_named_property(env, error, "syscall", syscall_v);
  return error;
}

napi_value throw_errno(napi_env env, int err, const char *syscall) {
  napi_throw(env, make_errno_error(env, err, syscall));
  return NULL;
}

napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

bool get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    throw_type(env, "could not read the arguments");
    return false;
  }
  return true;
}

static bool type_error(napi_env env, const char *what, const char *expected) {
  char message[160];
  snprintf(message, sizeof message, "%s must be %s", what, expected);
  throw_type(env, message);
  return false;
}

static bool is_integer_number(napi_env env, napi_value v, double *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return false;
  napi_get_value_double(env, v, out);
  return *out == (double)(int64_t)*out;
}

bool get_int32(napi_env env, napi_value v, const char *what, int32_t *out) {
  double d;
  if (!is_integer_number(env, v, &d) || d < INT32_MIN || d > INT32_MAX)
    return type_error(env, what, "a 32-bit integer");
  *out = (int32_t)d;
  return true;
}

bool get_int64(napi_env env, napi_value v, const char *what, int64_t *out) {
  double d;
  if (!is_integer_number(env, v, &d)) return type_error(env, what, "an integer");
  *out = (int64_t)d;
  return true;
}

bool get_fd(napi_env env, napi_value v, const char *what, int *out) {
  int32_t n;
  if (!get_int32(env, v, what, &n)) return false;
  if (n < 0) return type_error(env, what, "a file descriptor (>= 0)");
  *out = n;
  return true;
}

bool get_bool(napi_env env, napi_value v, const char *what, bool *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_boolean) return type_error(env, what, "a boolean");
  napi_get_value_bool(env, v, out);
  return true;
}

bool is_undefined(napi_env env, napi_value v) {
  napi_valuetype t;
  return v == NULL || (napi_typeof(env, v, &t) == napi_ok && t == napi_undefined);
}

bool get_prop(napi_env env, napi_value obj, const char *key, napi_value *out) {
  napi_value v;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return false;
  *out = is_undefined(env, v) ? NULL : v;
  return true;
}

char *get_string(napi_env env, napi_value v, const char *what) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    type_error(env, what, "a string");
    return NULL;
  }
  char *s = malloc(len + 1);
  if (s == NULL) {
    throw_errno(env, ENOMEM, "malloc");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) {
    free(s);
    type_error(env, what, "a string without NUL bytes");
    return NULL;
  }
  return s;
}

static bool get_array_length(napi_env env, napi_value v, const char *what, uint32_t *len) {
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array) return type_error(env, what, "an array");
  napi_get_array_length(env, v, len);
  return true;
}

void free_strv(char **strv) {
  if (strv == NULL) return;
  for (char **p = strv; *p != NULL; p++) free(*p);
  free(strv);
}

char **get_strv(napi_env env, napi_value v, const char *what) {
  uint32_t len;
  if (!get_array_length(env, v, what, &len)) return NULL;
  char **strv = calloc(len + 1, sizeof *strv);
  if (strv == NULL) {
    throw_errno(env, ENOMEM, "malloc");
    return NULL;
  }
  for (uint32_t i = 0; i < len; i++) {
    napi_value item;
    napi_get_element(env, v, i, &item);
    strv[i] = get_string(env, item, what);
    if (strv[i] == NULL) {
      free_strv(strv);
      return NULL;
    }
  }
  return strv;
}

int *get_fd_array(napi_env env, napi_value v, const char *what, size_t *count) {
  uint32_t len;
  *count = 0;
  if (!get_array_length(env, v, what, &len)) return NULL;
  int *fds = malloc((len ? len : 1) * sizeof *fds);
  if (fds == NULL) {
    throw_errno(env, ENOMEM, "malloc");
    return NULL;
  }
  for (uint32_t i = 0; i < len; i++) {
    napi_value item;
    napi_get_element(env, v, i, &item);
    if (!get_fd(env, item, what, &fds[i])) {
      free(fds);
      return NULL;
    }
  }
  *count = len;
  return fds;
}

napi_value make_int(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

napi_value make_undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

int clear_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return -1;
  return fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

napi_value make_fd_pair(napi_env env, int a, int b) {
  napi_value pair;
  napi_create_array_with_length(env, 2, &pair);
  napi_set_element(env, pair, 0, make_int(env, a));
  napi_set_element(env, pair, 1, make_int(env, b));
  return pair;
}

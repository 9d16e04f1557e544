/* Pipes and ppoll, as Unit 1.35 passes a pid-isolated prototype's pid back to main
 * (nxt_process.c: nxt_pipe_create, nxt_process_pipe_timer). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* pipe(): [read end, write end], blocking; close-on-exec here, cleared for a child's fds at spawn. */
napi_value native_pipe(napi_env env, napi_callback_info info) {
  int pp[2];
  if (pipe2(pp, O_CLOEXEC) < 0) return throw_errno(env, errno, "pipe");
  return make_fd_pair(env, pp[0], pp[1]);
}

/* read(fd, max): the bytes read as an array of numbers (empty at EOF). */
napi_value native_read(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  int32_t max;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "fd", &fd) || !get_int32(env, argv[1], "max", &max)) return NULL;
  if (max < 0 || max > 4096) return throw_type(env, "max must be 0..4096");
  unsigned char buf[4096];
  ssize_t n;
  do n = read(fd, buf, (size_t)max);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "read");
  napi_value bytes;
  napi_create_array_with_length(env, (size_t)n, &bytes);
  for (ssize_t i = 0; i < n; i++) napi_set_element(env, bytes, (uint32_t)i, make_int(env, buf[i]));
  return bytes;
}

/* write(fd, bytes): bytes is an array of numbers 0..255; returns the count written. */
napi_value native_write(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  uint32_t len;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "fd", &fd)) return NULL;
  if (napi_get_array_length(env, argv[1], &len) != napi_ok || len > 4096) return throw_type(env, "bytes must be an array of at most 4096 numbers");
  unsigned char buf[4096];
  for (uint32_t i = 0; i < len; i++) {
    napi_value v;
    int32_t b;
    napi_get_element(env, argv[1], i, &v);
    if (!get_int32(env, v, "byte", &b)) return NULL;
    buf[i] = (unsigned char)(b & 0xff);
  }
  ssize_t n;
  do n = write(fd, buf, len);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "write");
  return make_int(env, n);
}

/* ppoll(fd, events, timeoutMs) with every signal blocked but SIGINT and SIGTERM, as
 * nxt_process_pipe_timer: the fd's revents, 0 at the timeout; throws EINTR. */
napi_value native_ppoll(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  int32_t events, timeout_ms;
  if (!get_args(env, info, 3, argv) || !get_fd(env, argv[0], "fd", &fd) || !get_int32(env, argv[1], "events", &events) ||
      !get_int32(env, argv[2], "timeoutMs", &timeout_ms))
    return NULL;
  if (timeout_ms < 0) return throw_type(env, "timeoutMs must be >= 0");
  sigset_t mask;
  sigfillset(&mask);
  sigdelset(&mask, SIGINT);
  sigdelset(&mask, SIGTERM);
  struct pollfd pfd = {.fd = fd, .events = (short)events, .revents = 0};
  struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
  int ret = ppoll(&pfd, 1, &ts, &mask);
  if (ret < 0) return throw_errno(env, errno, "ppoll");
  return make_int(env, ret == 0 ? 0 : pfd.revents);
}

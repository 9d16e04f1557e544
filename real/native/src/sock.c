/* Unix SEQPACKET ports: socketpair, sendmsg/recvmsg with SCM_RIGHTS and SCM_CREDENTIALS, and
 * small fd helpers. */
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SEND_FDS 4
/* Room for what may arrive: fds beyond this are closed by the kernel and flagged MSG_CTRUNC. */
#define MAX_RECV_FDS 16

static int set_passcred(int fd, bool on) {
  int value = on ? 1 : 0;
  return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &value, sizeof value);
}

napi_value native_socketpair(napi_env env, napi_callback_info info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
    return throw_errno(env, errno, "socketpair");
  if (set_passcred(sv[0], true) < 0 || set_passcred(sv[1], true) < 0) {
    int err = errno;
    close(sv[0]);
    close(sv[1]);
    return throw_errno(env, err, "setsockopt");
  }
  return make_fd_pair(env, sv[0], sv[1]);
}

napi_value native_set_pass_cred(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  bool on;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "fd", &fd) || !get_bool(env, argv[1], "on", &on))
    return NULL;
  if (set_passcred(fd, on) < 0) return throw_errno(env, errno, "setsockopt");
  return make_undefined(env);
}

struct send_options {
  bool cred;
  bool block;
};

static bool read_send_options(napi_env env, napi_value v, struct send_options *o) {
  if (is_undefined(env, v)) return true;
  napi_value field;
  if (!get_prop(env, v, "cred", &field) || (field != NULL && !get_bool(env, field, "cred", &o->cred))) return false;
  if (!get_prop(env, v, "block", &field) || (field != NULL && !get_bool(env, field, "block", &o->block))) return false;
  return true;
}

napi_value native_sendmsg(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd;
  if (!get_args(env, info, 4, argv) || !get_fd(env, argv[0], "fd", &fd)) return NULL;
  bool is_buffer = false;
  napi_is_buffer(env, argv[1], &is_buffer);
  if (!is_buffer) return throw_type(env, "data must be a Buffer");
  void *data;
  size_t length;
  napi_get_buffer_info(env, argv[1], &data, &length);
  size_t nfds;
  int *fds = get_fd_array(env, argv[2], "fds", &nfds);
  if (fds == NULL) return NULL;
  if (nfds > MAX_SEND_FDS) {
    free(fds);
    return throw_type(env, "fds: at most 4 per message");
  }
  struct send_options opts = {false, false};
  if (!read_send_options(env, argv[3], &opts)) {
    free(fds);
    return NULL;
  }

  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_SEND_FDS) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {.iov_base = data, .iov_len = length};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  size_t used = 0;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (nfds > 0) {
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
    used += CMSG_SPACE(sizeof(int) * nfds);
    cmsg = (struct cmsghdr *)(control.buf + used);
  }
  if (opts.cred) {
    struct ucred cred = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_CREDENTIALS;
    cmsg->cmsg_len = CMSG_LEN(sizeof cred);
    memcpy(CMSG_DATA(cmsg), &cred, sizeof cred);
    used += CMSG_SPACE(sizeof cred);
  }
  free(fds);
  msg.msg_controllen = used;
  if (used == 0) msg.msg_control = NULL;

  int flags = MSG_NOSIGNAL | (opts.block ? 0 : MSG_DONTWAIT);
  for (;;) {
    ssize_t sent = sendmsg(fd, &msg, flags);
    if (sent >= 0) return make_int(env, sent);
    if (errno == EINTR) continue;
    /* Our sockets are O_NONBLOCK, so "block" has to wait for room itself. */
    if (opts.block && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pfd = {.fd = fd, .events = POLLOUT};
      if (poll(&pfd, 1, -1) >= 0 || errno == EINTR) continue;
    }
    return throw_errno(env, errno, "sendmsg");
  }
}

static napi_value received_fds(napi_env env, struct msghdr *msg, napi_value *cred) {
  napi_value fds;
  napi_create_array(env, &fds);
  uint32_t count = 0;
  napi_get_null(env, cred);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; i++) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        napi_set_element(env, fds, count++, make_int(env, fd));
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
      struct ucred uc;
      memcpy(&uc, CMSG_DATA(c), sizeof uc);
      napi_create_object(env, cred);
      napi_set_named_property(env, *cred, "pid", make_int(env, uc.pid));
      napi_set_named_property(env, *cred, "uid", make_int(env, uc.uid));
      napi_set_named_property(env, *cred, "gid", make_int(env, uc.gid));
    }
  }
  return fds;
}

napi_value native_recvmsg(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  int32_t max_bytes;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "fd", &fd) ||
      !get_int32(env, argv[1], "maxBytes", &max_bytes))
    return NULL;
  if (max_bytes < 0) return throw_type(env, "maxBytes must be >= 0");
  void *buf = malloc(max_bytes > 0 ? (size_t)max_bytes : 1);
  if (buf == NULL) return throw_errno(env, ENOMEM, "malloc");
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_RECV_FDS) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } control;
  struct iovec iov = {.iov_base = buf, .iov_len = (size_t)max_bytes};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  ssize_t n;
  do n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    free(buf);
    if (err == EAGAIN || err == EWOULDBLOCK) {
      napi_value null;
      napi_get_null(env, &null);
      return null;
    }
    return throw_errno(env, err, "recvmsg");
  }
  napi_value result, data, cred, flag;
  /* With MSG_TRUNC set, n is still the bytes copied (the flag is not passed in). */
  napi_create_buffer_copy(env, (size_t)n, buf, NULL, &data);
  free(buf);
  napi_value fds = received_fds(env, &msg, &cred);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "data", data);
  napi_get_boolean(env, n == 0 && msg.msg_controllen == 0, &flag);
  napi_set_named_property(env, result, "eof", flag);
  napi_set_named_property(env, result, "fds", fds);
  napi_set_named_property(env, result, "cred", cred);
  napi_get_boolean(env, (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0, &flag);
  napi_set_named_property(env, result, "truncated", flag);
  return result;
}

napi_value native_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, argv[0], "fd", &fd)) return NULL;
  /* No retry on EINTR: Linux has released the fd already. */
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close");
  return make_undefined(env);
}

napi_value native_fd_inode(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, argv[0], "fd", &fd)) return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0) return throw_errno(env, errno, "fstat");
  return make_int(env, (int64_t)st.st_ino);
}

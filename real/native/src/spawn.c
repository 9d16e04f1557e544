/* spawn(): clone3(CLONE_PIDFD | CLONE_NEW*) + execve, with a pre-exec path that is
 * async-signal-safe (the parent is multithreaded: only the calling thread exists in the child,
 * and another thread may have held malloc's lock). Everything the child needs is prepared in
 * `struct plan` before clone3.
 *
 * A SEQPACKET "status" socketpair (both ends CLOEXEC) reports how the child got on:
 *   - the child sends {step, errno} and _exit(127)s when a pre-exec step fails;
 *   - with holdUntilRelease it sends {STEP_HELD, 0} and blocks reading its end until release()
 *     sends 4 bytes (or the parent end closes: then it exits without exec);
 *   - a successful execve closes the child's end, so the parent reads EOF. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#define SYS_CLONE3 435
#define SYS_CLOSE_RANGE 436
#define CLONE_PIDFD_BIT 0x1000ULL
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
/* NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: anything else (CLONE_VM,
 * CLONE_THREAD, ...) would break the fork-like child. */
#define NEW_NAMESPACE_BITS 0x7E020080LL

/* Our own copy: <linux/sched.h> clashes with <sched.h>. Version 2 layout, 88 bytes. */
struct clone_args_v2 {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};
_Static_assert(sizeof(struct clone_args_v2) == 88, "clone_args is 88 bytes (CLONE_ARGS_SIZE_VER2)");

enum step { STEP_HELD, STEP_SIGNALS, STEP_PDEATHSIG, STEP_STDIO, STEP_KEEP, STEP_CLOSE, STEP_ROOT, STEP_CAPS, STEP_NS_LAST_PID, STEP_EXEC };
static const char *const step_syscall[] = {"spawn", "sigprocmask", "prctl", "dup2", "fcntl", "close_range", "setresuid", "capset", "write (ns_last_pid)", "execve"};
#define MAX_SET_TID 32

struct child_report {
  int32_t step;
  int32_t err;
};

struct plan {
  char *file;
  char **argv;
  char **envp;
  int stdio[3]; /* sources for 0..2; stdio[i] == i when not given */
  bool stdio_given;
  int pdeathsig;
  pid_t parent;
  bool newpid;
  bool hold;
  bool keep_caps;
  bool root_in_user_ns;
  char ns_last_pid[24]; /* decimal text to write, "" for none */
  pid_t set_tid[MAX_SET_TID];
  size_t set_tid_size;
  int *keep; /* as given */
  size_t nkeep;
  int *preserve; /* keep + status_fd, sorted: the holes left by the close step */
  size_t npreserve;
  int status_fd; /* the child's end */
};

static ssize_t write_all_once(int fd, const void *buf, size_t n) {
  ssize_t r;
  do r = write(fd, buf, n);
  while (r < 0 && errno == EINTR);
  return r;
}

static ssize_t read_once(int fd, void *buf, size_t n) {
  ssize_t r;
  do r = read(fd, buf, n);
  while (r < 0 && errno == EINTR);
  return r;
}

static __attribute__((noreturn)) void child_fail(const struct plan *p, enum step step) {
  struct child_report report = {step, errno};
  write_all_once(p->status_fd, &report, sizeof report);
  _exit(127);
}

/* Permitted -> inheritable -> ambient: an execve by a non-root uid then keeps every
 * capability (as a forked child in a new user namespace keeps them in C). */
static void keep_caps_across_exec(const struct plan *p) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &hdr, data) < 0) child_fail(p, STEP_CAPS);
  data[0].inheritable = data[0].permitted;
  data[1].inheritable = data[1].permitted;
  if (syscall(SYS_capset, &hdr, data) < 0) child_fail(p, STEP_CAPS);
  for (unsigned cap = 0; cap < 64; cap++) {
    uint32_t word = data[cap / 32].permitted;
    if ((word & (1U << (cap % 32))) == 0) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EINVAL) child_fail(p, STEP_CAPS);
  }
}

/* The child of a CLONE_NEWUSER keeps its creator's (host) ids, unmapped in its namespace: it
 * takes the namespace's 0 (the maps were written while it was held), so that it execs as that
 * namespace's root, not as the host's. Raw syscalls: glibc's would signal threads that only
 * exist in the parent. A credential change clears pdeathsig: armed again, and the parent's
 * death in between is seen on the status socket (its end closed). */
static void become_root_in_user_ns(const struct plan *p) {
  if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0)
    child_fail(p, STEP_ROOT);
  if (p->pdeathsig == 0) return;
  if (prctl(PR_SET_PDEATHSIG, p->pdeathsig, 0, 0, 0) < 0) child_fail(p, STEP_PDEATHSIG);
  struct pollfd parent_end = {p->status_fd, POLLRDHUP, 0};
  if (poll(&parent_end, 1, 0) != 0) _exit(127);
}

static int close_range_(unsigned lo, unsigned hi) { return (int)syscall(SYS_CLOSE_RANGE, lo, hi, 0); }

/* Runs in the child between clone3 and execve: async-signal-safe calls only. */
static __attribute__((noreturn)) void child_main(const struct plan *p) {
  /* The parent blocked every signal around clone3, so none of Node's handlers can run here
   * before the dispositions are back to default. KILL/STOP and glibc's own signals refuse. */
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) child_fail(p, STEP_SIGNALS);

  if (p->pdeathsig != 0) {
    if (prctl(PR_SET_PDEATHSIG, p->pdeathsig, 0, 0, 0) < 0) child_fail(p, STEP_PDEATHSIG);
    /* The parent may have died before prctl; in a new pid namespace getppid() is 0, so the
     * check is only possible without NEWPID. */
    if (!p->newpid && getppid() != p->parent) _exit(127);
  }

  /* Move sources that sit on 0..2 out of the way first, so [1, 0, 2] swaps instead of clobbering. */
  int src[3];
  for (int i = 0; i < 3; i++) {
    src[i] = p->stdio[i];
    if (src[i] != i && src[i] < 3) {
      src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3);
      if (src[i] < 0) child_fail(p, STEP_STDIO);
    }
  }
  for (int i = 0; i < 3; i++) {
    if (src[i] != i && dup2(src[i], i) < 0) child_fail(p, STEP_STDIO);
    /* Node sets FD_CLOEXEC on its own 0..2: without this the program starts with no stdio.
     * A parent without some of 0..2 (a daemon) just passes the hole on. */
    if (clear_cloexec(i) < 0 && (p->stdio_given || errno != EBADF)) child_fail(p, STEP_STDIO);
  }

  for (size_t i = 0; i < p->nkeep; i++)
    if (clear_cloexec(p->keep[i]) < 0) child_fail(p, STEP_KEEP);

  unsigned lo = 3;
  for (size_t i = 0; i < p->npreserve; i++) {
    unsigned fd = (unsigned)p->preserve[i];
    if (fd < lo) continue;
    if (fd > lo && close_range_(lo, fd - 1) < 0) child_fail(p, STEP_CLOSE);
    lo = fd + 1;
  }
  if (close_range_(lo, ~0U) < 0) child_fail(p, STEP_CLOSE);

  if (p->hold) {
    struct child_report held = {STEP_HELD, 0};
    if (write_all_once(p->status_fd, &held, sizeof held) < 0) _exit(127);
    uint32_t go;
    /* Anything but release()'s 4 bytes (EOF: the parent gave up or died) means: do not exec. */
    if (read_once(p->status_fd, &go, sizeof go) != sizeof go) _exit(127);
  }

  if (p->root_in_user_ns) become_root_in_user_ns(p);
  if (p->keep_caps) keep_caps_across_exec(p);

  if (p->ns_last_pid[0] != '\0') {
    /* Node's threads take pids too: start them above the model's range (see real/pid-cursor.ts). */
    int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    if (fd < 0) child_fail(p, STEP_NS_LAST_PID);
    if (write_all_once(fd, p->ns_last_pid, strlen(p->ns_last_pid)) < 0) child_fail(p, STEP_NS_LAST_PID);
    close(fd);
  }

  execve(p->file, p->argv, p->envp);
  child_fail(p, STEP_EXEC);
}

static void free_plan(struct plan *p) {
  free(p->file);
  free_strv(p->argv);
  free_strv(p->envp);
  free(p->keep);
  free(p->preserve);
}

static int compare_ints(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static bool fd_is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

/* Reads SpawnOptions into p (except status_fd/preserve). Throws and returns false on bad input. */
static bool read_options(napi_env env, napi_value opts, struct plan *p, int64_t *clone_flags) {
  napi_value v;
  napi_valuetype t;
  if (napi_typeof(env, opts, &t) != napi_ok || t != napi_object) {
    throw_type(env, "spawn options must be an object");
    return false;
  }
  if (!get_prop(env, opts, "file", &v) || v == NULL) return throw_type(env, "file must be a string"), false;
  if ((p->file = get_string(env, v, "file")) == NULL) return false;
  if (!get_prop(env, opts, "argv", &v) || v == NULL) return throw_type(env, "argv must be an array"), false;
  if ((p->argv = get_strv(env, v, "argv")) == NULL) return false;
  if (!get_prop(env, opts, "envp", &v) || v == NULL) return throw_type(env, "envp must be an array"), false;
  if ((p->envp = get_strv(env, v, "envp")) == NULL) return false;
  if (!get_prop(env, opts, "cloneFlags", &v) || v == NULL) return throw_type(env, "cloneFlags must be a number"), false;
  if (!get_int64(env, v, "cloneFlags", clone_flags)) return false;
  if (*clone_flags & ~NEW_NAMESPACE_BITS) return throw_type(env, "cloneFlags may only hold CLONE_NEW* bits"), false;
  p->newpid = (*clone_flags & 0x20000000) != 0;
  if (!get_prop(env, opts, "keepFds", &v) || v == NULL) return throw_type(env, "keepFds must be an array"), false;
  if ((p->keep = get_fd_array(env, v, "keepFds", &p->nkeep)) == NULL) return false;

  for (int i = 0; i < 3; i++) p->stdio[i] = i;
  if (!get_prop(env, opts, "stdio", &v)) return false;
  if (v != NULL) {
    size_t n;
    int *fds = get_fd_array(env, v, "stdio", &n);
    if (fds == NULL) return false;
    if (n != 3) {
      free(fds);
      return throw_type(env, "stdio must be an array of 3 fds"), false;
    }
    memcpy(p->stdio, fds, sizeof p->stdio);
    free(fds);
    p->stdio_given = true;
  }
  if (!get_prop(env, opts, "pdeathsig", &v)) return false;
  if (v != NULL && !get_int32(env, v, "pdeathsig", &p->pdeathsig)) return false;
  if (!get_prop(env, opts, "holdUntilRelease", &v)) return false;
  if (v != NULL && !get_bool(env, v, "holdUntilRelease", &p->hold)) return false;
  if (!get_prop(env, opts, "keepCaps", &v)) return false;
  if (v != NULL && !get_bool(env, v, "keepCaps", &p->keep_caps)) return false;
  if (!get_prop(env, opts, "rootInUserNs", &v)) return false;
  if (v != NULL && !get_bool(env, v, "rootInUserNs", &p->root_in_user_ns)) return false;
  if (!get_prop(env, opts, "nsLastPid", &v)) return false;
  if (v != NULL) {
    int32_t last;
    if (!get_int32(env, v, "nsLastPid", &last)) return false;
    if (last < 1) return throw_type(env, "nsLastPid must be a positive pid"), false;
    snprintf(p->ns_last_pid, sizeof p->ns_last_pid, "%d", last);
  }
  if (!get_prop(env, opts, "setTid", &v)) return false;
  if (v != NULL) {
    size_t n;
    int *tids = get_fd_array(env, v, "setTid", &n);
    if (tids == NULL) return false;
    if (n > MAX_SET_TID) {
      free(tids);
      return throw_type(env, "setTid has too many levels"), false;
    }
    for (size_t i = 0; i < n; i++) p->set_tid[i] = tids[i];
    p->set_tid_size = n;
    free(tids);
  }

  /* A closed fd number here could be reused by the status socket and leak into the child. */
  for (size_t i = 0; i < p->nkeep; i++)
    if (!fd_is_open(p->keep[i])) return throw_errno(env, EBADF, "spawn (keepFds)"), false;
  for (int i = 0; i < 3 && p->stdio_given; i++)
    if (!fd_is_open(p->stdio[i])) return throw_errno(env, EBADF, "spawn (stdio)"), false;
  return true;
}

static bool make_preserve(napi_env env, struct plan *p) {
  p->npreserve = p->nkeep + 1;
  p->preserve = malloc(p->npreserve * sizeof *p->preserve);
  if (p->preserve == NULL) return throw_errno(env, ENOMEM, "malloc"), false;
  memcpy(p->preserve, p->keep, p->nkeep * sizeof *p->keep);
  p->preserve[p->nkeep] = p->status_fd;
  qsort(p->preserve, p->npreserve, sizeof *p->preserve, compare_ints);
  return true;
}

static void reap(int pidfd) {
  siginfo_t si;
  while (waitid(P_PIDFD, pidfd, &si, WEXITED) < 0 && errno == EINTR) {
  }
  close(pidfd);
}

static napi_value spawned_object(napi_env env, long pid, int pidfd, int sync_fd) {
  napi_value obj;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "pid", make_int(env, pid));
  napi_set_named_property(env, obj, "pidfd", make_int(env, pidfd));
  napi_set_named_property(env, obj, "syncFd", make_int(env, sync_fd));
  return obj;
}

napi_value native_spawn(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  struct plan plan = {0};
  plan.status_fd = -1;
  int64_t clone_flags = 0;
  int sv[2] = {-1, -1};
  napi_value result = NULL;

  if (!read_options(env, argv[0], &plan, &clone_flags)) goto out;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    throw_errno(env, errno, "socketpair");
    goto out;
  }
  plan.status_fd = sv[1];
  plan.parent = getpid();
  if (!make_preserve(env, &plan)) goto out;

  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  struct clone_args_v2 args = {0};
  args.flags = CLONE_PIDFD_BIT | (uint64_t)clone_flags;
  args.pidfd = (uint64_t)(uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  if (plan.set_tid_size > 0) {
    args.set_tid = (uint64_t)(uintptr_t)plan.set_tid;
    args.set_tid_size = plan.set_tid_size;
  }
  long pid = syscall(SYS_CLONE3, &args, sizeof args);
  if (pid == 0) child_main(&plan);
  int clone_err = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  close(sv[1]);
  sv[1] = -1;
  if (pid < 0) {
    throw_errno(env, clone_err, "clone3");
    goto out;
  }

  struct child_report report;
  ssize_t n = read_once(sv[0], &report, sizeof report);
  if (n == 0 && !plan.hold) { /* EOF: execve closed the child's end */
    result = spawned_object(env, pid, pidfd, -1);
  } else if (n == sizeof report && report.step == STEP_HELD) {
    result = spawned_object(env, pid, pidfd, sv[0]);
    sv[0] = -1; /* now the caller's syncFd */
  } else {
    int err = n == sizeof report ? report.err : n < 0 ? errno : ECHILD;
    const char *failed_call = n == sizeof report && report.step > STEP_HELD && report.step <= STEP_EXEC
                                  ? step_syscall[report.step]
                                  : "spawn";
    if (n != sizeof report) syscall(424, pidfd, SIGKILL, NULL, 0); /* no report: make sure it goes */
    reap(pidfd);
    throw_errno(env, err, failed_call);
  }

out:
  if (sv[0] >= 0) close(sv[0]);
  if (sv[1] >= 0) close(sv[1]);
  free_plan(&plan);
  return result;
}

napi_value native_release(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, argv[0], "syncFd", &fd)) return NULL;
  uint32_t go = 1;
  ssize_t sent;
  do sent = send(fd, &go, sizeof go, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  int send_err = sent < 0 ? errno : 0;
  if (send_err == EBADF || send_err == ENOTSOCK) return throw_errno(env, send_err, "release");
  /* Wait for the outcome: EOF once execve closed the child's end, or the child's failure report. */
  struct child_report report;
  ssize_t n = read_once(fd, &report, sizeof report);
  int read_err = n < 0 ? errno : 0;
  close(fd);
  if (n == sizeof report && report.err != 0)
    return throw_errno(env, report.err, report.step > STEP_HELD && report.step <= STEP_EXEC ? step_syscall[report.step] : "release");
  if (send_err != 0) return throw_errno(env, send_err, "release"); /* the held child died (EPIPE) */
  if (read_err != 0) return throw_errno(env, read_err, "release");
  return make_undefined(env);
}

/* Module registration: the JS names of the native functions (see real/native.ts for types). */
#include "util.h"

#define FUNCTIONS(X)                                 \
  X("spawn", native_spawn)                           \
  X("release", native_release)                       \
  X("socketpair", native_socketpair)                 \
  X("setPassCred", native_set_pass_cred)             \
  X("sendmsg", native_sendmsg)                       \
  X("recvmsg", native_recvmsg)                       \
  X("close", native_close)                           \
  X("fdInode", native_fd_inode)                      \
  X("watchReadable", native_watch_readable)          \
  X("pidfdWait", native_pidfd_wait)                  \
  X("pidfdSendSignal", native_pidfd_send_signal)     \
  X("setNoNewPrivs", native_set_no_new_privs)        \
  X("setChildSubreaper", native_set_child_subreaper) \
  X("setPdeathsig", native_set_pdeathsig)            \
  X("setgroups", native_setgroups)                   \
  X("setresgid", native_setresgid)                   \
  X("setresuid", native_setresuid)                   \
  X("sharedCounterCreate", native_shared_counter_create) \
  X("sharedFetchAdd", native_shared_fetch_add)       \
  X("reexec", native_reexec)                         \
  X("setuid", native_setuid)                         \
  X("setgid", native_setgid)                         \
  X("pidfdOpen", native_pidfd_open)                  \
  X("abortNow", native_abort_now)                   \
  X("mountPrivateReadOnly", native_mount_private_read_only) \
  X("pipe", native_pipe)                             \
  X("read", native_read)                             \
  X("write", native_write)                           \
  X("ppoll", native_ppoll)

#define DECLARE(name, fn) napi_value fn(napi_env env, napi_callback_info info);
FUNCTIONS(DECLARE)

#define DESCRIBE(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL},

static napi_value init(napi_env env, napi_value exports) {
  static const napi_property_descriptor properties[] = {FUNCTIONS(DESCRIBE)};
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

/* The confinement of a run's mount namespace (real/confine-mounts.ts): one mount_setattr(2). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYS_MOUNT_SETATTR 442
#define MOUNT_ATTR_RDONLY_ 0x00000001ULL
#define AT_RECURSIVE_ 0x8000

struct mount_attr_v0 {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* Every mount at and below `path`: read-only and private (nothing propagates either way). In a
 * user namespace a locked flag cannot be cleared, but setting read-only is always allowed. */
napi_value native_mount_private_read_only(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  char *path = get_string(env, argv[0], "path");
  if (path == NULL) return NULL;
  struct mount_attr_v0 attr = {.attr_set = MOUNT_ATTR_RDONLY_, .propagation = MS_PRIVATE};
  long r = syscall(SYS_MOUNT_SETATTR, AT_FDCWD, path, AT_RECURSIVE_, &attr, sizeof attr);
  int err = errno;
  free(path);
  if (r < 0) return throw_errno(env, err, "mount_setattr");
  return make_undefined(env);
}

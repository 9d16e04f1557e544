/* A 64-bit counter shared between processes: a memfd of 8 bytes, mapped MAP_SHARED. The
 * mapping is cached per file (device + inode, not fd number: a closed fd's number can come
 * back for another file) and kept for the life of the process. */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct mapping {
  dev_t dev;
  ino_t ino;
  int64_t *value;
  struct mapping *next;
};

static struct mapping *mappings; /* only touched from the JS thread */

napi_value native_shared_counter_create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t initial;
  if (!get_args(env, info, 1, argv) || !get_int64(env, argv[0], "initial", &initial)) return NULL;
  int fd = memfd_create("nxtsim-counter", MFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "memfd_create");
  ssize_t written = pwrite(fd, &initial, sizeof initial, 0);
  if (written != sizeof initial) {
    int err = written < 0 ? errno : EIO;
    close(fd);
    return throw_errno(env, err, "pwrite");
  }
  return make_int(env, fd);
}

static int64_t *mapped_counter(int fd, int *err) {
  struct stat st;
  if (fstat(fd, &st) < 0) return *err = errno, NULL;
  for (struct mapping *m = mappings; m != NULL; m = m->next)
    if (m->dev == st.st_dev && m->ino == st.st_ino) return m->value;
  if (st.st_size < (off_t)sizeof(int64_t)) return *err = EINVAL, NULL;
  struct mapping *m = malloc(sizeof *m);
  if (m == NULL) return *err = ENOMEM, NULL;
  void *addr = mmap(NULL, sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    *err = errno;
    free(m);
    return NULL;
  }
  *m = (struct mapping){st.st_dev, st.st_ino, addr, mappings};
  mappings = m;
  return m->value;
}

napi_value native_shared_fetch_add(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  int64_t delta;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "fd", &fd) || !get_int64(env, argv[1], "delta", &delta))
    return NULL;
  int err = 0;
  int64_t *value = mapped_counter(fd, &err);
  if (value == NULL) return throw_errno(env, err, err == EINVAL ? "sharedFetchAdd" : "mmap");
  return make_int(env, __atomic_fetch_add(value, delta, __ATOMIC_SEQ_CST));
}

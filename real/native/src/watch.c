/* watchReadable(fd, cb): a libuv poll handle calling cb while fd is readable.
 *
 * - cb runs through napi_make_callback with the global object as receiver (undefined makes it
 *   fail with napi_object_expected, and the level-triggered poll then spins) and an async
 *   context, so nextTicks and promises are drained after each call.
 * - an exception thrown by cb (or a nextTick it queued) would otherwise vanish, since native
 *   code is at the top of the stack: it goes to napi_fatal_exception, i.e. uncaughtException.
 * - stop() is idempotent: the stop function owns a small box pointing at the watcher; stop()
 *   and the JS finalizer of the box unlink the two, and the watcher is freed by uv_close. */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <uv.h>

struct watcher;

struct box {
  struct watcher *watcher; /* NULL once stopped */
};

struct watcher {
  uv_poll_t poll; /* first: the uv handle's address is the watcher's */
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  struct box *box; /* NULL once the stop function was collected */
};

static void on_readable(uv_poll_t *handle, int status, int events) {
  struct watcher *w = (struct watcher *)handle;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, global, ignored;
  napi_get_reference_value(env, w->callback, &callback);
  napi_get_global(env, &global);
  /* status < 0 (e.g. EBADF): call anyway, the callback's own read reports the error. */
  if (napi_make_callback(env, w->context, global, callback, 0, NULL, &ignored) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
}

static void free_watcher(uv_handle_t *handle) { free(handle); }

static void stop_watcher(struct watcher *w) {
  uv_poll_stop(&w->poll);
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->context);
  uv_close((uv_handle_t *)&w->poll, free_watcher);
}

static napi_value stop(napi_env env, napi_callback_info info) {
  struct box *box;
  napi_get_cb_info(env, info, NULL, NULL, NULL, (void **)&box);
  struct watcher *w = box->watcher;
  if (w != NULL) {
    box->watcher = NULL;
    w->box = NULL;
    stop_watcher(w);
  }
  return make_undefined(env);
}

static void finalize_box(napi_env env, void *data, void *hint) {
  struct box *box = data;
  /* Nobody can stop this watcher any more; it keeps running like an unclosed socket. */
  if (box->watcher != NULL) box->watcher->box = NULL;
  free(box);
}

napi_value native_watch_readable(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], "fd", &fd)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_function) return throw_type(env, "onReadable must be a function");

  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  struct watcher *w = calloc(1, sizeof *w);
  struct box *box = calloc(1, sizeof *box);
  if (w == NULL || box == NULL) {
    free(w);
    free(box);
    return throw_errno(env, ENOMEM, "malloc");
  }
  int err = uv_poll_init(loop, &w->poll, fd); /* also makes fd O_NONBLOCK */
  if (err != 0) {                              /* handle not initialised: plain free */
    free(w);
    free(box);
    return throw_errno(env, -err, "uv_poll_init");
  }
  err = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (err != 0) {
    free(box);
    uv_close((uv_handle_t *)&w->poll, free_watcher);
    return throw_errno(env, -err, "uv_poll_start");
  }
  w->env = env;
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_value name;
  napi_create_string_utf8(env, "nxtsim.watchReadable", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->context);
  w->box = box;
  box->watcher = w;

  napi_value stop_fn, watcher_obj;
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop, box, &stop_fn);
  napi_add_finalizer(env, stop_fn, box, finalize_box, NULL, NULL);
  napi_create_object(env, &watcher_obj);
  napi_set_named_property(env, watcher_obj, "stop", stop_fn);
  return watcher_obj;
}

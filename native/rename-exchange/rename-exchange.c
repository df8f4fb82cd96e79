// exchange(a, b): swaps two paths at once with renameat2(RENAME_EXCHANGE), which Node.js does
// not offer. A report directory is replaced by its new version with no instant where neither
// is there. Returns 0, or the errno (the caller falls back to two renames).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static napi_value Exchange(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  char from[4096];
  char to[4096];
  size_t length;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_string_utf8(env, args[0], from, sizeof from, &length) != napi_ok || length >= sizeof from - 1 ||
      napi_get_value_string_utf8(env, args[1], to, sizeof to, &length) != napi_ok || length >= sizeof to - 1) {
    napi_throw_type_error(env, NULL, "exchange(from, to) takes two paths");
    return NULL;
  }
#ifdef SYS_renameat2
  long done = syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
  napi_create_int32(env, done == 0 ? 0 : errno, &result);
#else
  napi_create_int32(env, ENOSYS, &result);
#endif
  return result;
}

NAPI_MODULE_INIT() {
  napi_value exchange;
  napi_create_function(env, "exchange", NAPI_AUTO_LENGTH, Exchange, NULL, &exchange);
  napi_set_named_property(env, exports, "exchange", exchange);
  return exports;
}

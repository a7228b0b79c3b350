/*
 * rokv's batch reader: looks up many 16-byte keys of a read-only LMDB snapshot in one call from
 * JavaScript. Why it exists: with lmdb-js a batch costs one V8-to-C++ call and its JavaScript wrapper
 * per key, a large share of the server's CPU per batch (BENCH_BATCH=100 npm run bench:profile); one
 * call per batch takes about half the lookup time (figures: docs/performance.md, "Batch lookups";
 * bench/batch-reader.ts measures it).
 *
 * It opens the snapshot's data file with its own LMDB environment, built from the very LMDB sources
 * and defines lmdb-js builds (so the file format is the same), read-only and without the lock file:
 * a snapshot is never written after it is sealed, so there is no writer to coordinate with. One
 * read transaction is held for the reader's life.
 *
 * JavaScript API (see src/store/lmdb-native.ts):
 *   open(path) -> reader                     throws on an LMDB error
 *   getPacked(reader, keys, count, out, starts, lengths) -> number
 *     keys: Uint8Array of count * 16 bytes; out: Uint8Array; starts, lengths: Int32Array(count).
 *     Copies the value of key i into out at starts[i] (lengths[i] bytes), lengths[i] = -1 when
 *     missing, and returns the bytes used; when `out` is too small it copies nothing more and
 *     returns -(bytes needed), so the caller can retry once with a buffer of that size.
 *   close(reader)                            idempotent; the reader also closes when collected
 *
 * It also writes new data files for `rokv build` (src/snapshot/lmdb-writer.ts). Why: lmdb-js costs a
 * JavaScript call and its bookkeeping per put, which was the largest share of a build's write phase
 * (docs/scaling.md); here one call stores a whole batch of pairs, appended in key order with
 * MDB_APPEND (no page splits, no searches: the file comes out dense).
 *   createWriter(path, mapSize) -> writer    a new, empty file at path (MDB_NOSYNC, no lock file)
 *   writeBatch(writer, records, length) -> number of pairs stored, in one transaction
 *     records: Uint8Array whose first `length` bytes are records of 16 key bytes, a big-endian u32
 *     value length and the value, keys strictly ascending (across batches too) or it throws.
 *   closeWriter(writer)                      idempotent; the writer also closes when collected
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include "lmdb.h"

#define KEY_BYTES 16
#define PATH_BYTES 4096

typedef struct {
  MDB_env* env;
  MDB_txn* txn;
  MDB_dbi dbi;
} Reader;

typedef struct {
  MDB_env* env;
  MDB_dbi dbi;
} Writer;

/* What JavaScript holds of a reader or a writer: how to close one, and the words its errors use. */
typedef struct {
  void (*close)(void* handle);
  int (*is_open)(const void* handle);
  const char* expected; /* "expected a reader from open()" */
  const char* closed;   /* "the reader is closed" */
} Kind;

static void close_reader(void* handle) {
  Reader* r = handle;
  if (r->txn) mdb_txn_abort(r->txn);
  if (r->env) mdb_env_close(r->env);
  r->txn = NULL;
  r->env = NULL;
}

static int reader_is_open(const void* handle) {
  return ((const Reader*) handle)->txn != NULL;
}

static void close_writer(void* handle) {
  Writer* w = handle;
  if (w->env) mdb_env_close(w->env);
  w->env = NULL;
}

static int writer_is_open(const void* handle) {
  return ((const Writer*) handle)->env != NULL;
}

static const Kind READER = {close_reader, reader_is_open, "expected a reader from open()", "the reader is closed"};
static const Kind WRITER = {close_writer, writer_is_open, "expected a writer from createWriter()",
                            "the writer is closed"};

/* Closes and frees a handle: called by the garbage collector (hint: its Kind) or on a failed open. */
static void finalize(napi_env env, void* data, void* hint) {
  (void) env;
  ((const Kind*) hint)->close(data);
  free(data);
}

static napi_value fail(napi_env env, const char* code, const char* message) {
  napi_throw_error(env, code, message);
  return NULL;
}

/*
 * Hands a handle just opened to JavaScript, as an external that closes it when collected. When the
 * opening failed (`rc`, an LMDB code) or the external cannot be made, it closes and frees the handle
 * now and throws.
 */
static napi_value wrap_external(napi_env env, void* handle, const Kind* kind, int rc) {
  if (rc != 0) {
    finalize(env, handle, (void*) kind);
    return fail(env, "ROKV_NATIVE_LMDB", mdb_strerror(rc));
  }
  napi_value external;
  if (napi_create_external(env, handle, finalize, (void*) kind, &external) != napi_ok) {
    finalize(env, handle, (void*) kind);
    return fail(env, "ROKV_NATIVE_MEMORY", "could not wrap the handle");
  }
  return external;
}

/* The handle an external of `kind` carries, open or closed, or NULL (thrown). */
static void* external_arg(napi_env env, napi_value value, const Kind* kind) {
  void* handle = NULL;
  if (napi_get_value_external(env, value, &handle) != napi_ok || handle == NULL) {
    fail(env, "ROKV_NATIVE_ARGS", kind->expected);
    return NULL;
  }
  return handle;
}

/* The path of a data file, copied into `path` (PATH_BYTES); false when `value` is not one. */
static bool path_arg(napi_env env, napi_value value, char* path) {
  size_t length = 0;
  return napi_get_value_string_utf8(env, value, path, PATH_BYTES, &length) == napi_ok && length < PATH_BYTES - 1;
}

/*
 * The prologue of a call on an open handle, `f(handle, ..., count, ...)`: fills argv with `argc`
 * arguments and *count with the whole number at argv[count_at], and returns the open handle of
 * `kind` that argv[0] carries. NULL when an argument is wrong or the handle closed (thrown: `usage`
 * names the call).
 */
static void* handle_call(napi_env env, napi_callback_info info, size_t argc, napi_value* argv, size_t count_at,
                         uint32_t* count, const Kind* kind, const char* usage) {
  size_t given = argc;
  if (napi_get_cb_info(env, info, &given, argv, NULL, NULL) != napi_ok || given < argc ||
      napi_get_value_uint32(env, argv[count_at], count) != napi_ok) {
    fail(env, "ROKV_NATIVE_ARGS", usage);
    return NULL;
  }
  void* handle = external_arg(env, argv[0], kind);
  if (handle != NULL && !kind->is_open(handle)) {
    fail(env, "ROKV_NATIVE_CLOSED", kind->closed);
    return NULL;
  }
  return handle;
}

/* close(reader) and closeWriter(writer): idempotent, so a handle closed early is no error. */
static napi_value close_call(napi_env env, napi_callback_info info, const Kind* kind) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1)
    return fail(env, "ROKV_NATIVE_ARGS", kind->expected);
  void* handle = external_arg(env, argv[0], kind);
  if (handle != NULL) kind->close(handle);
  return NULL;
}

/* The data of a typed array of `type` holding at least `min_length` elements, or NULL (thrown). */
static void* array_arg(napi_env env, napi_value value, napi_typedarray_type type, size_t min_length, size_t* length) {
  bool is_typed = false;
  napi_typedarray_type actual;
  void* data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &actual, length, &data, NULL, NULL) != napi_ok || actual != type ||
      *length < min_length) {
    fail(env, "ROKV_NATIVE_ARGS", "bad array argument: expected a typed array of the right type and length");
    return NULL;
  }
  return data;
}

static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[PATH_BYTES];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || !path_arg(env, argv[0], path))
    return fail(env, "ROKV_NATIVE_ARGS", "open(path): expected the path of a data file");
  Reader* r = calloc(1, sizeof(Reader));
  if (r == NULL) return fail(env, "ROKV_NATIVE_MEMORY", "out of memory");
  int rc = mdb_env_create(&r->env);
  if (rc == 0) rc = mdb_env_open(r->env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0444);
  if (rc == 0) rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &r->txn);
  if (rc == 0) rc = mdb_dbi_open(r->txn, NULL, 0, &r->dbi);
  return wrap_external(env, r, &READER, rc);
}

static napi_value GetPacked(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  uint32_t count = 0;
  Reader* r = handle_call(env, info, 6, argv, 2, &count, &READER, "getPacked(reader, keys, count, out, starts, lengths)");
  if (r == NULL) return NULL;
  size_t key_bytes, out_bytes, starts_length, lengths_length;
  const unsigned char* keys = array_arg(env, argv[1], napi_uint8_array, (size_t) count * KEY_BYTES, &key_bytes);
  if (keys == NULL) return NULL;
  unsigned char* out = array_arg(env, argv[3], napi_uint8_array, 0, &out_bytes);
  if (out == NULL) return NULL;
  int32_t* starts = array_arg(env, argv[4], napi_int32_array, count, &starts_length);
  if (starts == NULL) return NULL;
  int32_t* lengths = array_arg(env, argv[5], napi_int32_array, count, &lengths_length);
  if (lengths == NULL) return NULL;

  size_t used = 0;
  int fits = 1;
  for (uint32_t i = 0; i < count; i++) {
    MDB_val key = {KEY_BYTES, (void*) (keys + (size_t) i * KEY_BYTES)};
    MDB_val data;
    int rc = mdb_get(r->txn, r->dbi, &key, &data);
    if (rc == MDB_NOTFOUND) {
      lengths[i] = -1;
      continue;
    }
    if (rc != 0) return fail(env, "ROKV_NATIVE_LMDB", mdb_strerror(rc));
    if (fits && used + data.mv_size > out_bytes) fits = 0;
    if (fits) {
      memcpy(out + used, data.mv_data, data.mv_size);
      starts[i] = (int32_t) used;
      lengths[i] = (int32_t) data.mv_size;
    }
    used += data.mv_size;
  }
  if (used > 0x7fffffff) return fail(env, "ROKV_NATIVE_SIZE", "the values of one batch exceed 2 GiB");
  napi_value result;
  napi_create_double(env, fits ? (double) used : -(double) used, &result);
  return result;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  return close_call(env, info, &READER);
}

static napi_value CreateWriter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[PATH_BYTES];
  double map_size = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || !path_arg(env, argv[0], path) ||
      napi_get_value_double(env, argv[1], &map_size) != napi_ok || !(map_size >= 1 << 20))
    return fail(env, "ROKV_NATIVE_ARGS", "createWriter(path, mapSize): expected a file path and a map size in bytes");
  Writer* w = calloc(1, sizeof(Writer));
  if (w == NULL) return fail(env, "ROKV_NATIVE_MEMORY", "out of memory");
  MDB_txn* txn = NULL;
  int rc = mdb_env_create(&w->env);
  if (rc == 0) rc = mdb_env_set_mapsize(w->env, (size_t) map_size);
  /* The file is private to the build until it is sealed and renamed: no lock file, no fsync per commit. */
  if (rc == 0) rc = mdb_env_open(w->env, path, MDB_NOSUBDIR | MDB_NOSYNC | MDB_NOLOCK, 0644);
  if (rc == 0) rc = mdb_txn_begin(w->env, NULL, 0, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, NULL, MDB_CREATE, &w->dbi);
  if (rc == 0) {
    rc = mdb_txn_commit(txn);
    txn = NULL;
    /* Opening the main database changes nothing: lmdb-js's LMDB reports that commit as empty. */
    if (rc == MDB_EMPTY_TXN) rc = 0;
  }
  if (txn) mdb_txn_abort(txn);
  return wrap_external(env, w, &WRITER, rc);
}

static napi_value WriteBatch(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint32_t length = 0;
  Writer* w = handle_call(env, info, 3, argv, 2, &length, &WRITER, "writeBatch(writer, records, length)");
  if (w == NULL) return NULL;
  size_t bytes = 0;
  const unsigned char* records = array_arg(env, argv[1], napi_uint8_array, length, &bytes);
  if (records == NULL) return NULL;

  MDB_txn* txn = NULL;
  MDB_cursor* cursor = NULL;
  int rc = mdb_txn_begin(w->env, NULL, 0, &txn);
  if (rc == 0) rc = mdb_cursor_open(txn, w->dbi, &cursor);
  uint32_t count = 0;
  const char* problem = NULL;
  for (size_t at = 0; rc == 0 && at < length; count++) {
    if (length - at < KEY_BYTES + 4) {
      problem = "writeBatch: the records end inside a record header";
      break;
    }
    const unsigned char* h = records + at + KEY_BYTES;
    size_t value_bytes = ((size_t) h[0] << 24) | ((size_t) h[1] << 16) | ((size_t) h[2] << 8) | (size_t) h[3];
    if (value_bytes > length - at - KEY_BYTES - 4) {
      problem = "writeBatch: a record's value runs past the end of the records";
      break;
    }
    MDB_val key = {KEY_BYTES, (void*) (records + at)};
    MDB_val data = {value_bytes, (void*) (h + 4)};
    rc = mdb_cursor_put(cursor, &key, &data, MDB_APPEND);
    if (rc == MDB_KEYEXIST) problem = "writeBatch: keys must come in strictly ascending order";
    at += KEY_BYTES + 4 + value_bytes;
  }
  if (cursor) mdb_cursor_close(cursor);
  if (rc == 0 && problem == NULL) {
    rc = mdb_txn_commit(txn);
    txn = NULL;
  }
  if (txn) mdb_txn_abort(txn);
  if (problem) return fail(env, "ROKV_NATIVE_ARGS", problem);
  if (rc != 0) return fail(env, "ROKV_NATIVE_LMDB", mdb_strerror(rc));
  napi_value result;
  napi_create_uint32(env, count, &result);
  return result;
}

static napi_value CloseWriter(napi_env env, napi_callback_info info) {
  return close_call(env, info, &WRITER);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"open", NULL, Open, NULL, NULL, NULL, napi_default, NULL},
      {"getPacked", NULL, GetPacked, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
      {"createWriter", NULL, CreateWriter, NULL, NULL, NULL, napi_default, NULL},
      {"writeBatch", NULL, WriteBatch, NULL, NULL, NULL, napi_default, NULL},
      {"closeWriter", NULL, CloseWriter, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods) != napi_ok) return NULL;
  return exports;
}

{
  # Built by scripts/build-native.mjs, which passes lmdb_dir: the absolute path of the LMDB sources
  # bundled with the installed lmdb-js, compiled with lmdb-js's own defines so that both read the
  # same file format.
  "target_defaults": {
    "include_dirs": ["<(lmdb_dir)"],
    "defines": ["MDB_MAXKEYSIZE=0", "MDB_USE_ROBUST"],
    "cflags": ["-O2", "-fPIC", "-fvisibility=hidden"]
  },
  "targets": [
    {
      # LMDB's own code, built quietly: its warnings are lmdb-js's to fix, not ours.
      "target_name": "lmdb",
      "type": "static_library",
      "sources": ["lmdb-sources.c"],
      "cflags": ["-w"]
    },
    {
      "target_name": "rokv_lmdb",
      "sources": ["rokv-lmdb.c"],
      "dependencies": ["lmdb"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

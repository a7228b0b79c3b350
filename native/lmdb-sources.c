/* LMDB itself, from the sources bundled with the installed lmdb-js (binding.gyp puts their folder on
 * the include path): compiled here rather than listed as gyp sources, which must sit under this folder. */
#include "mdb.c"
#include "midl.c"

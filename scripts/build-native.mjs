// Builds rokv's batch reader (native/rokv-lmdb.c) with node-gyp against the LMDB sources bundled in
// the installed lmdb-js. Run by `npm install` (the install script) and `npm run build:native`.
// A machine without python3, make and a C compiler still installs rokv: batch lookups then go
// through lmdb-js, a call per key (slower: docs/performance.md, "Batch lookups"). `--strict` makes a failed build an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

function giveUp(reason) {
  const message = `rokv: the native batch reader was not built (${reason}); batch lookups will use lmdb-js.`;
  if (strict) {
    console.error(message);
    process.exit(1);
  }
  console.warn(`${message} Install python3, make and g++, then run \`npm run build:native\`.`);
  process.exit(0);
}

// lmdb's package exports only its entry point: find its folder from there.
let lmdbDir;
try {
  lmdbDir = dirname(createRequire(join(root, 'package.json')).resolve('lmdb'));
  while (!existsSync(join(lmdbDir, 'package.json'))) lmdbDir = dirname(lmdbDir);
} catch {
  giveUp('lmdb is not installed');
}
const sources = join(lmdbDir, 'dependencies', 'lmdb', 'libraries', 'liblmdb');
if (!existsSync(join(sources, 'mdb.c'))) giveUp(`no LMDB sources in ${sources}`);

// npm tells its scripts where its own node-gyp is; run by hand, look beside npm.
const gyp =
  process.env.npm_config_node_gyp ??
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(gyp)) giveUp('node-gyp not found');

// Node's own headers, when installed beside it, spare node-gyp a download (npm may name them itself).
const prefix = join(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [gyp, 'rebuild', `--lmdb_dir=${sources}`, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
// Quiet unless it fails: node-gyp and the compiler print hundreds of lines on success.
const result = spawnSync(process.execPath, args, { cwd: join(root, 'native'), encoding: 'utf8' });
if (result.status !== 0) {
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  giveUp(`node-gyp exited with ${result.status ?? result.signal}`);
}
console.log('rokv: built the native batch reader (native/build/Release/rokv_lmdb.node)');

// Loads every native module rokv uses under the running Node and names the binary each one mapped:
// lmdb-js and msgpackr-extract pick a prebuild per ABI (or their N-API build), and rokv's batch reader
// is built by node-gyp. Without this check a runtime that cannot load one would pass its tests quietly
// on a fallback (msgpackr's JavaScript decoder, lmdb-js instead of the batch reader). Used by .ci/run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const problems = [];

try {
  await import('lmdb');
} catch (err) {
  problems.push(`lmdb-js did not load: ${err.message}`);
}
try {
  // msgpackr (lmdb-js's encoder) loads msgpackr-extract itself and says whether it did.
  const { isNativeAccelerationEnabled } = await import('msgpackr');
  if (!isNativeAccelerationEnabled) problems.push('msgpackr runs without msgpackr-extract');
} catch (err) {
  problems.push(`msgpackr did not load: ${err.message}`);
}
try {
  require('./native/build/Release/rokv_lmdb.node');
} catch (err) {
  problems.push(`the native batch reader did not load (npm run build:native): ${err.message.split('\n')[0]}`);
}

// The shared objects this process mapped are the binaries that were really chosen.
const mapped = [
  ...new Set(
    readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((line) => line.slice(line.indexOf('/')))
      .filter((path) => path.endsWith('.node')),
  ),
].map((path) => relative(root, path).replace(/^node_modules\//, ''));

const runtime = `node ${process.version} (ABI ${process.versions.modules})`;
if (problems.length > 0) {
  console.error(`${runtime}: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`${runtime} loads ${mapped.join(', ')}`);

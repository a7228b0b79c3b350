// Runs one set of test files under node:test: `unit` (every test/**/*.test.ts but the end-to-end ones,
// in-process, concurrently, no build needed) or `e2e` (test/**/*.e2e.test.ts, which drive the compiled
// binary dist/main.js, one file at a time). Further arguments keep only the files whose path contains
// one of them: `npm run test:unit -- http/ store/`.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const SETS = {
  // In-process tests mostly wait on I/O (sockets, files, child Redis servers): several files per core.
  unit: { pick: (f) => !f.endsWith('.e2e.test.ts'), concurrency: Math.max(4, availableParallelism() * 2) },
  // Each end-to-end file starts servers with several workers: one file at a time.
  e2e: { pick: (f) => f.endsWith('.e2e.test.ts'), concurrency: 1 },
};

const [name, ...filters] = process.argv.slice(2);
const set = SETS[name];
if (set === undefined) {
  console.error(`usage: node scripts/run-tests.mjs unit|e2e [path-filter...] (got ${JSON.stringify(name)})`);
  process.exit(2);
}
const files = readdirSync('test', { recursive: true })
  .map((f) => `test/${f.split('\\').join('/')}`)
  .filter((f) => f.endsWith('.test.ts') && set.pick(f))
  .filter((f) => filters.length === 0 || filters.some((part) => f.includes(part)))
  .sort();
if (files.length === 0) {
  console.error(`no ${name} test files match ${filters.join(' ')}`);
  process.exit(2);
}
const child = spawn(
  process.execPath,
  // --test-force-exit: a file whose tests all ended must not keep the run alive. ioredis's Cluster re-arms its
  // slot-refresh timer when a refresh is in flight while quit() runs (cluster/index.js nextRound), which left
  // test/store/contract.test.ts waiting forever on a busy machine after every one of its tests had passed.
  ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${set.concurrency}`, ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));

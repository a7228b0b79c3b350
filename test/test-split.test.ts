import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// `npm run test:unit` runs without a build and concurrently, so only *.e2e.test.ts files may drive the
// compiled binary. test/helpers/binary.ts is the one module that names its path: a test drives the
// binary when it imports that module, however indirectly, and nothing else may point into the build.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEST = join(ROOT, 'test');
const BINARY_HELPER = join(TEST, 'helpers', 'binary.ts');
const RELATIVE_IMPORT = /^\s*import\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm;
const PATH_INTO_BUILD = /(?:new URL|join|resolve)\([^)]*\bdist\//;

const sources = readdirSync(TEST, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(TEST, f));
const testFiles = sources.filter((f) => f.endsWith('.test.ts'));

function localImports(file: string): string[] {
  const found: string[] = [];
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
    const target = resolve(dirname(file), spec!.replace(/\.js$/, '.ts'));
    if (target.startsWith(TEST)) found.push(target);
  }
  return found;
}

function drivesBinary(file: string, seen = new Set<string>()): boolean {
  if (file === BINARY_HELPER) return true;
  if (seen.has(file)) return false;
  seen.add(file);
  return localImports(file).some((f) => drivesBinary(f, seen));
}

test('every test file that imports the binary helper is named *.e2e.test.ts, and every such file imports it', () => {
  const misplaced = testFiles
    .filter((f) => drivesBinary(f) !== f.endsWith('.e2e.test.ts'))
    .map((f) => `${relative(ROOT, f)} ${drivesBinary(f) ? 'runs' : 'does not run'} the compiled binary`);
  assert.deepEqual(misplaced, [], 'rename these so that the unit/e2e split holds');
});

test('no test file but the binary helper builds a path into the compiled output', () => {
  const offenders = sources
    .filter((f) => f !== BINARY_HELPER && f !== fileURLToPath(import.meta.url))
    .filter((f) => PATH_INTO_BUILD.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  assert.deepEqual(offenders, [], 'run the binary through test/helpers/binary.ts, in an *.e2e.test.ts file');
});

test('the split has files on both sides and sees the helper through other helpers', () => {
  assert.ok(testFiles.some((f) => f.endsWith('.e2e.test.ts')));
  assert.ok(testFiles.some((f) => !f.endsWith('.e2e.test.ts')));
  assert.ok(PATH_INTO_BUILD.test(readFileSync(BINARY_HELPER, 'utf8')), 'the helper names the binary as expected');
});

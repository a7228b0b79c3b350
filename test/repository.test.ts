import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the repository', () => {
  test('every benchmark scenario in bench/ has an npm script that runs it', () => {
    const run = Object.values(scripts).join('\n');
    const unrun = readdirSync('bench')
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => !run.includes(`bench/${f}`));
    assert.deepEqual(unrun, [], 'add an npm script (bench:NAME) for each, or move a shared piece to bench/lib/');
  });

  test('no benchmark result is committed: bench/ holds scenarios, their library and baselines only', () => {
    const committed = execFileSync('git', ['ls-files', 'bench'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const stray = committed.filter((f) => !/^bench\/([^/]+\.ts|lib\/.+|baselines\/.+)$/.test(f));
    assert.deepEqual(stray, [], 'results go to bench/results/ (ignored by git)');
  });
});

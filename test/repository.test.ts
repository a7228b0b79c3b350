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

describe("the README's layout", () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const listed = (indent: string): string[] =>
    [...block.matchAll(new RegExp(`^${indent}([\\w.-]+)/`, 'gm'))].map((m) => m[1]!).sort();
  const folders = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();

  test('lists every folder of src/, and no folder src/ lacks', () => {
    assert.deepEqual(listed('  '), folders('src'));
  });

  test('lists only top-level folders that exist, and every tracked one but tooling', () => {
    const tracked = [
      ...new Set(
        execFileSync('git', ['ls-files'], { encoding: 'utf8' })
          .split('\n')
          .filter((f) => f.includes('/') && !f.startsWith('.'))
          .map((f) => f.split('/')[0]!),
      ),
    ].sort();
    assert.deepEqual(listed(''), tracked);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { renderPairs } from '../../src/gen/format.js';
import { syntheticPairs } from '../../src/gen/synthetic.js';
import { ROKV_BIN, runRokv } from '../helpers/binary.js';
import { tempDir } from '../helpers/tmp.js';

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('rokv build, the command', () => {
  test('reads standard input with --format and prints one summary line', async () => {
    const dir = await tempDir();
    const input = [...renderPairs(syntheticPairs(1000, 8), 'csv')].join('');
    const res = await runRokv(['build', '-', '--format', 'csv', '--out', join(dir, 'snap')], { input });
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stderr,
      /^built .*snap: 1000 pairs, 0 rejected, 0 duplicates, \d+ bytes \([\d.]+ bytes\/pair\), id [0-9a-f]{16}, [\d.]+ s\n$/,
    );
    const verified = await runRokv(['verify', join(dir, 'snap')]);
    assert.equal(verified.code, 0, verified.stderr);
  });

  test('reports skipped rows by reason, with examples, and writes them to --errors', async () => {
    const dir = await tempDir();
    const good = [...renderPairs(syntheticPairs(20, 8), 'jsonl')].join('');
    await writeFile(join(dir, 'in.jsonl'), `${good}{"key":"bad","value":"x"}\nnot json\n`);
    const res = await runRokv([
      'build',
      join(dir, 'in.jsonl'),
      '--out',
      join(dir, 'snap'),
      '--max-errors',
      '5',
      '--errors',
      join(dir, 'e.jsonl'),
      '--quiet',
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /rejected 2 rows: invalid-key 1, invalid-row 1 \(all listed in .*e\.jsonl\)/);
    assert.match(res.stderr, /in\.jsonl:21: key "bad" is not a canonical UUIDv4/);
    assert.match(res.stderr, /20 pairs, 2 rejected/);
    assert.equal((await readFile(join(dir, 'e.jsonl'), 'utf8')).trim().split('\n').length, 2);
  });

  test('refuses unknown flag values with a usage error', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['build', 'x.jsonl', '--out', 'o', '--on-duplicate', 'maybe'],
        /^rokv: --on-duplicate: expected one of error, first, last, got "maybe"/,
      ],
      [
        ['build', 'x.jsonl', '--out', 'o', '--max-errors', 'many'],
        /^rokv: --max-errors: expected a whole number of at least 0, got "many"/,
      ],
      [
        ['build', 'x.jsonl', '--out', 'o', '--format', 'xml'],
        /^rokv: --format: expected one of json, jsonl, ndjson, csv, tsv, got "xml"/,
      ],
      [['build', '-', '--out', 'o'], /cannot tell the format of standard input; pass --format/],
      [['build', '--out', 'o'], /^rokv: build needs INPUT...: INPUT is missing/],
    ];
    for (const [args, pattern] of cases) {
      const res = await runRokv(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, pattern);
    }
  });

  test('a build killed mid-way leaves nothing at --out, and a rerun succeeds', async () => {
    const dir = await tempDir();
    const out = join(dir, 'snap');
    const text = [...renderPairs(syntheticPairs(20_000, 12), 'jsonl')].join('');
    const child = spawn(process.execPath, [ROKV_BIN, 'build', '-', '--format', 'jsonl', '--out', out, '--quiet'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stdin.on('error', () => {});
    // Half the input, with standard input left open: the build is certainly still running.
    child.stdin.write(text.slice(0, text.length / 2));
    await waitFor(
      async () => (await readdir(dir)).some((n) => n.startsWith('.snap.tmp-')),
      'the build to start writing',
    );
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    assert.deepEqual(
      (await readdir(dir)).filter((n) => !n.startsWith('.')),
      [],
      'nothing visible at --out',
    );

    await writeFile(join(dir, 'in.jsonl'), text);
    const rerun = await runRokv(['build', join(dir, 'in.jsonl'), '--out', out]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, /20000 pairs/);
    assert.deepEqual((await readdir(dir)).sort(), ['in.jsonl', 'snap'], 'the rerun removed what the killed build left');
  });
});

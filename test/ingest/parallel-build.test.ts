import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderPairs } from '../../src/gen/format.js';
import { syntheticPairs } from '../../src/gen/synthetic.js';
import { buildSnapshot, type BuildOptions, type DuplicatePolicy } from '../../src/ingest/build.js';
import { RunSorter } from '../../src/ingest/sort/run-sorter.js';
import { parseUuid } from '../../src/uuid.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * JSON lines over several 1 MiB blocks, so that every worker gets some: synthetic pairs, each
 * 97th one repeated later in another case with another value, and a few bad lines.
 */
function mixedJsonl(count: number): string {
  const pairs = [...syntheticPairs(count, 21)];
  const lines = [...renderPairs(pairs, 'jsonl')];
  for (let i = 0; i < count; i += 97) lines.push(`{"key":"${pairs[i]!.key.toUpperCase()}","value":"again ${i}"}\n`);
  lines.splice(1000, 0, '{"key": "not-a-key", "value": "x"}\n', '\n', '{"key":\n');
  lines.splice(30_000, 0, `{"key": "${pairs[5]!.key}", "value": 7}\n`);
  return lines.join('');
}

async function buildBoth(
  text: string,
  options: BuildOptions,
): Promise<{ one: Buffer; many: Buffer; ids: string[]; errors: string[] }> {
  const dir = await tempDir();
  const input = join(dir, 'in.jsonl');
  await writeFile(input, text);
  const run = async (name: string, threads: number) => {
    const errorsFile = join(dir, `${name}.errors`);
    const result = await buildSnapshot(input, join(dir, name), {
      ...options,
      threads,
      maxErrors: 1_000_000,
      errorsFile,
    });
    return {
      data: await readFile(join(dir, name, 'data.mdb')),
      id: result.manifest.id,
      errors: await readFile(errorsFile, 'utf8'),
    };
  };
  const one = await run('one', 1);
  const many = await run('many', 3);
  return { one: one.data, many: many.data, ids: [one.id, many.id], errors: [one.errors, many.errors] };
}

describe('rokv build with worker threads', () => {
  const text = mixedJsonl(45_000);
  for (const policy of ['first', 'last', 'error'] as DuplicatePolicy[]) {
    test(`writes the same snapshot, byte for byte, as one thread (--on-duplicate ${policy})`, async () => {
      const { one, many, ids, errors } = await buildBoth(text, { onDuplicate: policy, runBytes: 256 << 10 });
      assert.equal(ids[1], ids[0]);
      assert.ok(one.equals(many), 'data.mdb differs between one thread and three');
      assert.equal(errors[1], errors[0], 'the rejected rows differ');
      assert.ok(errors[0]!.includes('"reason":"invalid-key"'));
    });
  }

  test('stops at the same first bad row as one thread', async () => {
    const dir = await tempDir();
    const input = join(dir, 'in.jsonl');
    await writeFile(input, text);
    const messages: string[] = [];
    for (const threads of [1, 2]) {
      await assert.rejects(buildSnapshot(input, join(dir, `out${threads}`), { threads }), (err: Error) => {
        messages.push(err.message);
        return true;
      });
    }
    assert.equal(messages[1], messages[0]);
    assert.match(messages[0]!, /in\.jsonl:1001: key "not-a-key" is not a canonical UUIDv4/);
  });
});

describe('the multi-level merge', () => {
  test('keeps at most fan-in run files open and merges in several levels', async () => {
    const dir = await tempDir();
    const sorter = new RunSorter(dir, { runBytes: 4 << 10 });
    const pairs = [...syntheticPairs(6000, 2)];
    pairs.forEach((p, i) => sorter.add(parseUuid(p.key)!, i + 1, JSON.stringify(p.value)));
    assert.ok(sorter.spilled > 50, `expected many runs, got ${sorter.spilled}`);
    const fanIn = 4;
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const merged = sorter.merge(fanIn);
    assert.ok(merged.merges >= sorter.spilled / fanIn, `expected several levels of merges, got ${merged.merges}`);
    const keys: string[] = [];
    let most = 0;
    for (const p of merged.pairs) {
      keys.push(p.bytes.toString('hex', p.keyAt, p.keyAt + 16));
      if (keys.length % 500 === 0) most = Math.max(most, openFds() - before);
    }
    assert.ok(most <= fanIn, `${most} files open at once, fan-in ${fanIn}`);
    const expected = pairs.map((p) => parseUuid(p.key)!).map((k) => Buffer.from(k).toString('hex'));
    assert.deepEqual(keys, expected.sort());
    assert.ok(readdirSync(dir).length <= fanIn, 'intermediate runs are deleted once merged');
  });

  test('builds the same snapshot with a small run size and fan-in as with the defaults', async () => {
    const dir = await tempDir();
    const input = join(dir, 'in.jsonl');
    await writeFile(input, [...renderPairs(syntheticPairs(8000, 3), 'jsonl')].join(''));
    const small = await buildSnapshot(input, join(dir, 'small'), { runBytes: 8 << 10, fanIn: 3, threads: 2 });
    const plain = await buildSnapshot(input, join(dir, 'plain'), { threads: 1 });
    assert.ok(small.runs > 9 && small.merges > 3, `runs ${small.runs}, intermediate merges ${small.merges}`);
    assert.equal(small.manifest.id, plain.manifest.id);
    assert.ok((await readFile(join(dir, 'small', 'data.mdb'))).equals(await readFile(join(dir, 'plain', 'data.mdb'))));
  });
});

describe('build progress', () => {
  test('counts each row once, with one thread and with several', async () => {
    const dir = await tempDir();
    const input = join(dir, 'in.jsonl');
    await writeFile(input, [...renderPairs(syntheticPairs(3000, 4), 'jsonl')].join(''));
    for (const threads of [1, 3]) {
      const seen: { phase: string; rows: number; sorted: number; written: number; bytesRead: number }[] = [];
      await buildSnapshot(input, join(dir, `out${threads}`), { threads, onProgress: (p) => seen.push({ ...p }) });
      const size = (await readFile(input)).length;
      for (const p of seen) {
        assert.ok(
          p.rows <= 3000 && p.sorted <= 3000 && p.bytesRead <= size,
          `${threads} threads: ${JSON.stringify(p)}`,
        );
      }
      const last = seen.at(-1)!;
      assert.deepEqual([last.phase, last.rows, last.sorted, last.written], ['write', 3000, 3000, 3000]);
    }
  });
});

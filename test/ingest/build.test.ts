import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RokvError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/ingest/build.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { parseUuid } from '../../src/uuid.js';
import { tempDir } from '../helpers/tmp.js';

const A = '8a35eb59-62b3-481c-8875-1f248df4c952';
const B = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';

async function buildFrom(text: string): Promise<{ dir: string; out: string; run: Promise<unknown> }> {
  const dir = await tempDir();
  const input = join(dir, 'input.json');
  await writeFile(input, text);
  const out = join(dir, 'snap');
  return { dir, out, run: buildSnapshot(input, out) };
}

async function assertBuildFails(text: string, pattern: RegExp): Promise<void> {
  const { dir, out, run } = await buildFrom(text);
  await assert.rejects(run, (err: unknown) => err instanceof RokvError && pattern.test(err.message));
  const left = await readdir(dir);
  assert.deepEqual(left, ['input.json'], `nothing but the input may remain, found ${left.join(', ')}`);
  void out;
}

describe('rokv build (JSON object)', () => {
  test('writes a snapshot with a complete manifest', async () => {
    const { out, run } = await buildFrom(JSON.stringify({ [A]: 'one', [B]: 'two' }));
    await run;
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.formatVersion, 1);
    assert.equal(manifest.count, 2);
    assert.match(String(manifest.checksum), /^sha256:[0-9a-f]{64}$/);
    assert.equal(manifest.source, 'input.json');
    assert.ok(!Number.isNaN(Date.parse(String(manifest.createdAt))));
    assert.equal(typeof manifest.rokvVersion, 'string');
    assert.deepEqual((await readdir(out)).sort(), ['data.mdb', 'manifest.json']);
  });

  test('gives the same checksum for the same pairs in another order', async () => {
    const one = await buildFrom(JSON.stringify({ [A]: 'one', [B]: 'two' }));
    const two = await buildFrom(JSON.stringify({ [B]: 'two', [A.toUpperCase()]: 'one' }));
    await Promise.all([one.run, two.run]);
    const sum = async (out: string) =>
      (JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { checksum: string }).checksum;
    assert.equal(await sum(one.out), await sum(two.out));
  });

  test('stores an upper-case key so that the lower-case key finds it', async () => {
    const { out, run } = await buildFrom(JSON.stringify({ [A.toUpperCase()]: 'one' }));
    await run;
    const store = await LmdbStore.open(out);
    assert.equal(Buffer.from(store.get(parseUuid(A)!)!).toString(), '"one"');
    await store.close();
  });

  test('builds an empty data set', async () => {
    const { out, run } = await buildFrom('{}');
    await run;
    const store = await LmdbStore.open(out);
    assert.equal(store.info().count, 0);
    await store.close();
  });

  const failures: [string, string, RegExp][] = [
    ['a key that is not a UUIDv4', JSON.stringify({ 'not-a-uuid': 'x' }), /"not-a-uuid" is not a canonical UUIDv4/],
    [
      'a version 1 key',
      JSON.stringify({ '8a35eb59-62b3-181c-8875-1f248df4c952': 'x' }),
      /8a35eb59-62b3-181c.*not a canonical UUIDv4/,
    ],
    ['a number value', `{"${A}": 5}`, new RegExp(`value of key ${A} must be a string, found a number`)],
    ['a null value', `{"${A}": null}`, /must be a string, found null/],
    ['an object value', `{"${A}": {"v": 1}}`, /must be a string, found an object/],
    [
      'a duplicate key in another case',
      `{"${A}": "x", "${B}": "y", "${A.toUpperCase()}": "z"}`,
      new RegExp(`pair #3: duplicate key ${A} \\(first seen at .*pair #1`),
    ],
    ['a file that is not JSON', '{"a": ', /not valid JSON/],
    ['a JSON array', `[["${A}", "x"]]`, /expected one JSON object/],
  ];
  for (const [name, text, pattern] of failures) {
    test(`stops on ${name}, names it, and leaves no snapshot`, async () => {
      await assertBuildFails(text, pattern);
    });
  }

  test('refuses to overwrite an existing snapshot', async () => {
    const { out, run } = await buildFrom(JSON.stringify({ [A]: 'one' }));
    await run;
    await assert.rejects(buildSnapshot(join(out, '..', 'input.json'), out), /already exists/);
  });

  test('reports an input file that does not exist', async () => {
    const dir = await tempDir();
    await assert.rejects(buildSnapshot(join(dir, 'nope.json'), join(dir, 'out')), /cannot read .*nope\.json: ENOENT/);
  });
});

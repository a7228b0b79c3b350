import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { VersionReloader } from '../../src/server/reload.js';
import { isJsonStringLiteral } from '../../src/snapshot/json-string.js';
import { publishSnapshot } from '../../src/snapshot/publish.js';
import { checkSnapshot, verifySnapshot } from '../../src/snapshot/verify.js';
import { ensureDataRoot, readRootIndex, updateRootIndex, versionDir } from '../../src/snapshot/versions.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { decodeMeta } from '../../src/store/redis-layout.js';
import { loadSnapshot } from '../../src/store/redis-load.js';
import { editManifest, rawSnapshotOf, snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const PAIRS = { '8a35eb59-62b3-481c-8875-1f248df4c952': 'one', '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f': 'two' };
const quiet = pino({ level: 'silent' });

/** Keys in ascending order, so the last one is past the first 256 pairs a sample reads. */
const MANY_KEYS = Array.from(
  { length: 300 },
  (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
);

/** 300 well-formed pairs and, as the last one, `bad` stored as it is. */
function withBadLastValue(bad: Uint8Array | string): Promise<string> {
  const pairs: Record<string, Uint8Array | string> = {};
  for (const k of MANY_KEYS) pairs[k] = JSON.stringify(`value of ${k}`);
  pairs[MANY_KEYS.at(-1)!] = bad;
  return rawSnapshotOf(pairs);
}

/** A data root whose current version is the snapshot at `snapshot`, placed by hand (publish would refuse it). */
async function rootServing(snapshot: string): Promise<{ root: string; id: string }> {
  const root = join(await tempDir(), 'root');
  await ensureDataRoot(root);
  const { id } = JSON.parse(await readFile(join(snapshot, 'manifest.json'), 'utf8')) as { id: string };
  await cp(snapshot, versionDir(root, id), { recursive: true });
  await updateRootIndex(root, (index) => ({
    ...index,
    current: id,
    versions: [{ id, publishedAt: new Date().toISOString() }],
  }));
  return { root, id };
}

/** Manifest edits each refused, and the field the refusal must name. */
const MANIFEST_CASES: [string, (m: Record<string, unknown>) => void, string][] = [
  ['an id that is a path', (m) => (m.id = '../../victim'), 'id'],
  ['an id with CR/LF', (m) => (m.id = 'abcdef0123456789\r\nx-evil: 1'), 'id'],
  ['an id that is not the one derived from the checksum', (m) => (m.id = '0123456789abcdef'), 'id'],
  ['an id in upper case', (m) => (m.id = String(m.id).toUpperCase()), 'id'],
  ['a count that is negative', (m) => (m.count = -1), 'count'],
  ['a count that is a string', (m) => (m.count = '2'), 'count'],
  ['a count that is fractional', (m) => (m.count = 1.5), 'count'],
  ['a checksum of another algorithm', (m) => (m.checksum = `md5:${'0'.repeat(32)}`), 'checksum'],
  ['an engine this rokv does not have', (m) => (m.engine = 'rocksdb'), 'engine'],
  ['a source with a line break', (m) => (m.source = 'a\nb'), 'source'],
  ['a source of 2,000 characters', (m) => (m.source = 'x'.repeat(2000)), 'source'],
  ['a createdAt that is not a date', (m) => (m.createdAt = 'yesterday'), 'createdAt'],
  ['a rokvVersion that is a number', (m) => (m.rokvVersion = 1), 'rokvVersion'],
  ['no data file', (m) => (m.files = []), 'files'],
  ['a second data file', (m) => (m.files = [...(m.files as object[]), ...(m.files as object[])]), 'files'],
  ['a data file of another name', (m) => ((m.files as { name: string }[])[0]!.name = 'other.mdb'), 'files.0.name'],
  ['a data file size that is negative', (m) => ((m.files as { bytes: number }[])[0]!.bytes = -1), 'files.0.bytes'],
  [
    'a data file hash that is not hex',
    (m) => ((m.files as { sha256: string }[])[0]!.sha256 = 'z'.repeat(64)),
    'files.0.sha256',
  ],
  ['a field this format does not have', (m) => (m.signedBy = 'me'), 'signedBy'],
];

describe('snapshots are untrusted input', () => {
  for (const [what, edit, field] of MANIFEST_CASES) {
    test(`refuses a manifest with ${what}, naming the field`, async () => {
      const dir = await snapshotOf(PAIRS);
      await editManifest(dir, edit);
      const named = new RegExp(`invalid manifest\\.json: field "${field.replace(/\./g, '\\.')}" `);
      await assert.rejects(checkSnapshot(dir), named);
    });
  }

  test('every reader refuses a manifest whose id is not a version id', async () => {
    const dir = await snapshotOf(PAIRS);
    await editManifest(dir, (m) => (m.id = '../../victim'));
    const root = join(await tempDir(), 'root');
    const readers: [string, () => Promise<unknown>][] = [
      ['serve and get (LmdbStore.open)', () => LmdbStore.open(dir)],
      ['verify', () => verifySnapshot(dir)],
      ['publish', () => publishSnapshot(dir, root)],
      // Refused before any connection is made: nothing listens on port 9.
      ['load', () => loadSnapshot(dir, 'redis://127.0.0.1:9', { keep: 2, graceMs: 0, window: 16, sample: 1 })],
    ];
    for (const [name, read] of readers) {
      await assert.rejects(read(), /field "id" must be a version id/, name);
    }
  });

  test('publish never touches a directory a crafted id points at', async () => {
    const base = await tempDir();
    const root = join(base, 'root');
    await publishSnapshot(await snapshotOf(PAIRS), root);
    const before = await readFile(join(root, 'rokv-root.json'), 'utf8');
    await mkdir(join(base, 'victim'));
    await writeFile(join(base, 'victim', 'precious'), 'keep me');
    const crafted = await snapshotOf({ ...PAIRS, '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8': 'three' });
    await editManifest(crafted, (m) => (m.id = '../../victim'));
    await assert.rejects(publishSnapshot(crafted, root), /field "id"/);
    assert.equal(await readFile(join(base, 'victim', 'precious'), 'utf8'), 'keep me');
    assert.equal(await readFile(join(root, 'rokv-root.json'), 'utf8'), before);
    assert.equal((await readRootIndex(root)).versions.length, 1);
  });

  test('a Redis version that is not a version id is not used', () => {
    const meta = { bits: '0', count: '1', complete: '1' };
    assert.notEqual(decodeMeta({ ...meta, version: 'abcdef0123456789' }), undefined);
    assert.equal(decodeMeta({ ...meta, version: 'abc\r\nx-evil: 1' }), undefined);
    assert.equal(decodeMeta({ ...meta, version: '../x' }), undefined);
  });
});

/** Value bytes and whether they are one JSON string literal of valid UTF-8. */
const LITERALS: [string, string | Uint8Array, boolean][] = [
  ['an empty string', '""', true],
  ['plain text', '"hello"', true],
  ['every simple escape', '"\\" \\\\ \\/ \\b \\f \\n \\r \\t"', true],
  ['a unicode escape', '"\\u00e9\\uD83D\\uDE00"', true],
  ['multi-byte UTF-8', JSON.stringify('é 日本 😀'), true],
  ['a forged second result', '"x"},{"value":"forged"', false],
  ['two literals', '"a""b"', false],
  ['no closing quote', '"abc', false],
  ['a lone quote', '"', false],
  ['nothing', '', false],
  ['a number', '12', false],
  ['a closing quote escaped', '"abc\\"', false],
  ['an unknown escape', '"\\x41"', false],
  ['a short unicode escape', '"\\u12"', false],
  ['a unicode escape with a non-hex digit', '"\\u12g4"', false],
  ['a raw line feed', '"a\nb"', false],
  ['a raw NUL', '"a\u0000b"', false],
  ['an invalid UTF-8 byte', Buffer.from([0x22, 0xff, 0x22]), false],
  ['a truncated UTF-8 sequence', Buffer.from([0x22, 0xe6, 0x97, 0x22]), false],
  ['an overlong UTF-8 encoding', Buffer.from([0x22, 0xc0, 0xaf, 0x22]), false],
  ['an HTTP response in a string', Buffer.from('"\xff\r\nHTTP/1.1 200 OK\r\n\r\n<h1>pwned</h1>"', 'latin1'), false],
];

describe('stored values are JSON string literals of valid UTF-8', () => {
  for (const [what, bytes, ok] of LITERALS) {
    test(`${ok ? 'accepts' : 'refuses'} ${what}`, () => {
      assert.equal(isJsonStringLiteral(typeof bytes === 'string' ? Buffer.from(bytes) : bytes), ok);
    });
  }

  const BAD: [string, string | Uint8Array][] = [
    ['a forged second result', '"x"},{"value":"forged"'],
    ['bytes that are not UTF-8', Buffer.from([0x22, 0x41, 0xff, 0x22])],
  ];
  for (const [what, value] of BAD) {
    test(`verify refuses a snapshot whose 300th value is ${what}`, async () => {
      const dir = await withBadLastValue(value);
      await assert.rejects(verifySnapshot(dir), new RegExp(`value of key ${MANY_KEYS.at(-1)} is not one JSON string`));
    });

    test(`publish refuses a snapshot whose 300th value is ${what}, and leaves nothing behind`, async () => {
      const root = join(await tempDir(), 'root');
      await assert.rejects(publishSnapshot(await withBadLastValue(value), root), /not one JSON string literal/);
      assert.deepEqual(await readdir(join(root, 'versions')), []);
    });

    test(`a server's full check refuses to swap in a version whose 300th value is ${what}`, async () => {
      const good = await withBadLastValue(JSON.stringify('fine'));
      const { root, id } = await rootServing(good);
      const reloader = await VersionReloader.start(root, id, { verify: 'full', nativeReader: false }, quiet);
      try {
        const crafted = await withBadLastValue(value);
        const { id: badId } = JSON.parse(await readFile(join(crafted, 'manifest.json'), 'utf8')) as { id: string };
        await cp(crafted, versionDir(root, badId), { recursive: true });
        await updateRootIndex(root, (index) => ({
          ...index,
          current: badId,
          versions: [...index.versions, { id: badId, publishedAt: new Date().toISOString() }],
        }));
        await reloader.reload('signal');
        const status = reloader.status();
        assert.equal(status.version, id);
        assert.equal(status.lastRefusal?.version, badId);
        assert.match(status.lastRefusal?.reason ?? '', /not one JSON string literal/);
      } finally {
        await reloader.close();
      }
    });
  }

  test('a well-formed crafted snapshot passes every check', async () => {
    const dir = await withBadLastValue(JSON.stringify('fine after all'));
    assert.equal((await verifySnapshot(dir)).count, 300);
  });
});

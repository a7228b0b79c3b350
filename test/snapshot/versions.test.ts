import assert from 'node:assert/strict';
import { cp, mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readGoldenFile } from '../../src/snapshot/guards.js';
import { removeLease, writeLease } from '../../src/snapshot/leases.js';
import { activateVersion, publishSnapshot, rollbackVersion } from '../../src/snapshot/publish.js';
import { verifySnapshot } from '../../src/snapshot/verify.js';
import { listVersions, readRootIndex, resolveDataSource, versionDir } from '../../src/snapshot/versions.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const KEYS = [
  '8a35eb59-62b3-481c-8875-1f248df4c952',
  '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f',
  '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8',
  '2d4a0c41-1b2c-4d3e-8f40-5a6b7c8d9e0f',
];

/** A snapshot holding the first `n` keys with values tagged `tag`, so each tag is a distinct version. */
function tagged(tag: string, n = KEYS.length): Promise<string> {
  return snapshotOf(Object.fromEntries(KEYS.slice(0, n).map((k, i) => [k, `${tag} ${i}`])));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('data root versions', () => {
  test('publishing makes a version current, and serve resolves the root to it', async () => {
    const root = join(await tempDir(), 'root');
    const a = await publishSnapshot(await tagged('a'), root);
    assert.equal(a.activated, true);
    assert.deepEqual(await resolveDataSource(root), { kind: 'root', root, version: a.id, dir: versionDir(root, a.id) });
    const snapshot = await tagged('b');
    assert.deepEqual(await resolveDataSource(snapshot), { kind: 'snapshot', dir: snapshot });
  });

  test('--no-activate stages a version without switching; activate and rollback move the pointer', async () => {
    const root = join(await tempDir(), 'root');
    const a = await publishSnapshot(await tagged('a'), root);
    const b = await publishSnapshot(await tagged('b'), root, { activate: false });
    assert.equal((await readRootIndex(root)).current, a.id);
    const listed = await listVersions(root);
    assert.deepEqual(
      listed.map((v) => [v.id, v.count, v.current]),
      [
        [a.id, 4, true],
        [b.id, 4, false],
      ],
    );
    assert.equal((await activateVersion(root, b.id)).current, b.id);
    assert.equal((await rollbackVersion(root)).current, a.id);
    // Nothing is left to roll back to: the rolled-back version is not pushed onto the history.
    await assert.rejects(rollbackVersion(root), /has no previous version to roll back to/);
    await assert.rejects(activateVersion(root, 'nope'), /no version "nope" in the data root/);
  });

  test('publishing the same content twice reuses the version instead of copying it again', async () => {
    const root = join(await tempDir(), 'root');
    const first = await publishSnapshot(await tagged('a'), root);
    const again = await publishSnapshot(await tagged('a'), root);
    assert.equal(again.id, first.id);
    assert.equal(again.existed, true);
    assert.equal((await readRootIndex(root)).versions.length, 1);
  });

  const leftovers: [string, boolean][] = [
    ['an intact', false],
    ['a damaged', true],
  ];
  for (const [what, damaged] of leftovers) {
    test(`publishing over ${what} leftover directory of the same version ends with an intact, listed version`, async () => {
      const root = join(await tempDir(), 'root');
      await publishSnapshot(await tagged('a'), root);
      const snapshot = await tagged('b');
      const id = (await readRootIndex(root)).current!;
      // A publish that died after renaming its copy into place but before updating the index.
      const leftover = versionDir(
        root,
        (JSON.parse(await readFile(join(snapshot, 'manifest.json'), 'utf8')) as { id: string }).id,
      );
      await cp(snapshot, leftover, { recursive: true });
      if (damaged) await writeFile(join(leftover, 'data.mdb'), 'x');
      const b = await publishSnapshot(snapshot, root);
      assert.notEqual(b.id, id);
      assert.equal((await readRootIndex(root)).current, b.id);
      await verifySnapshot(versionDir(root, b.id));
    });
  }

  test('--move takes the snapshot away from its place, and gives it back when refused', async () => {
    const root = join(await tempDir(), 'root');
    const moved = await tagged('a');
    await publishSnapshot(moved, root, { move: true });
    assert.equal(await exists(moved), false);
    const refused = await tagged('b', 1);
    await assert.rejects(publishSnapshot(refused, root, { move: true, minPairs: 2 }), /fewer than --min-pairs 2/);
    assert.equal(await exists(join(refused, 'manifest.json')), true);
  });

  const guardCases: { name: string; n: number; guards: Record<string, unknown>; refused: RegExp | null }[] = [
    {
      name: 'too few pairs for --min-pairs',
      n: 2,
      guards: { minPairs: 3 },
      refused: /2 pairs, fewer than --min-pairs 3/,
    },
    { name: 'enough pairs for --min-pairs', n: 3, guards: { minPairs: 3 }, refused: null },
    {
      name: 'shrinking more than --max-shrink',
      n: 2,
      guards: { maxShrink: 0.25 },
      refused: /50\.0% fewer than the current 4/,
    },
    { name: 'shrinking within --max-shrink', n: 3, guards: { maxShrink: 0.25 }, refused: null },
  ];
  for (const c of guardCases) {
    test(`a new version with ${c.name} is ${c.refused ? 'refused and leaves nothing behind' : 'accepted'}`, async () => {
      const root = join(await tempDir(), 'root');
      const a = await publishSnapshot(await tagged('a'), root);
      const attempt = publishSnapshot(await tagged('b', c.n), root, c.guards);
      if (c.refused === null) {
        assert.notEqual((await attempt).id, a.id);
        return;
      }
      await assert.rejects(attempt, c.refused);
      const index = await readRootIndex(root);
      assert.equal(index.current, a.id);
      assert.deepEqual(await readdir(join(root, 'versions')), [a.id]);
    });
  }

  test('golden pairs must all match before a version goes live (JSON object or JSON lines)', async () => {
    const dir = await tempDir();
    const root = join(dir, 'root');
    const golden = join(dir, 'golden.json');
    await writeFile(golden, JSON.stringify({ [KEYS[0]!]: 'b 0', [KEYS[1]!]: 'b 1' }));
    const ok = await publishSnapshot(await tagged('b'), root, { expect: await readGoldenFile(golden) });
    assert.equal(ok.activated, true);
    const lines = join(dir, 'golden.jsonl');
    await writeFile(
      lines,
      `${JSON.stringify({ key: KEYS[0], value: 'c 0' })}\n${JSON.stringify({ key: KEYS[1], value: 'wrong' })}\n`,
    );
    await assert.rejects(
      publishSnapshot(await tagged('c'), root, { expect: await readGoldenFile(lines) }),
      new RegExp(`1 of 2 expected pairs differ or are missing: ${KEYS[1]}`),
    );
    assert.equal((await readRootIndex(root)).current, ok.id);
  });

  test('a snapshot whose data does not match its manifest is never published', async () => {
    const root = join(await tempDir(), 'root');
    const bad = await tagged('a');
    const fh = await open(join(bad, 'data.mdb'), 'r+');
    const { size } = await fh.stat();
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, Math.floor(size / 2));
    await fh.close();
    await assert.rejects(publishSnapshot(bad, root), /was not published: .*does not match its sha256/);
    assert.deepEqual(await readdir(join(root, 'versions')), []);
  });

  test('old versions beyond --keep are removed, but only once no live server holds them', async () => {
    const root = join(await tempDir(), 'root');
    const v1 = await publishSnapshot(await tagged('v1'), root, { keep: 2 });
    // This process stands for a server that still has v1 open.
    writeLease(root, [v1.id]);
    try {
      const v2 = await publishSnapshot(await tagged('v2'), root, { keep: 2 });
      const v3 = await publishSnapshot(await tagged('v3'), root, { keep: 2 });
      assert.deepEqual(v3.removed, []);
      assert.equal(await exists(versionDir(root, v1.id)), true);
      const v4 = await publishSnapshot(await tagged('v4'), root, { keep: 2 });
      assert.deepEqual(v4.removed, [v2.id]);
      assert.equal(await exists(versionDir(root, v2.id)), false);
      assert.equal(await exists(versionDir(root, v1.id)), true);
    } finally {
      removeLease(root);
    }
    const v5 = await publishSnapshot(await tagged('v5'), root, { keep: 2 });
    assert.ok(v5.removed.includes(v1.id), `v1 is removed once released: ${JSON.stringify(v5.removed)}`);
    assert.equal(await exists(versionDir(root, v1.id)), false);
    assert.equal((await readRootIndex(root)).versions.length, 2);
  });

  test('publishes running at the same time all land in the index (the root lock serialises them)', async () => {
    const root = join(await tempDir(), 'root');
    await publishSnapshot(await tagged('base'), root);
    const snapshots = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((t) => tagged(t)));
    const results = await Promise.all(snapshots.map((s) => publishSnapshot(s, root, { activate: false, keep: 10 })));
    const listed = (await readRootIndex(root)).versions.map((v) => v.id);
    for (const r of results) assert.ok(listed.includes(r.id), `${r.id} is in the index`);
    assert.equal(listed.length, 5);
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const root = join(await tempDir(), 'root');
    await publishSnapshot(await tagged('a'), root);
    await mkdir(join(root, '.lock'));
    await writeFile(join(root, '.lock', 'pid'), '4194305');
    const b = await publishSnapshot(await tagged('b'), root);
    assert.equal((await readRootIndex(root)).current, b.id);
    assert.equal(await exists(join(root, '.lock')), false);
  });

  test('a lease left by a process that is gone does not keep a version', async () => {
    const root = join(await tempDir(), 'root');
    const v1 = await publishSnapshot(await tagged('v1'), root, { keep: 1 });
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    await mkdir(join(root, 'leases'), { recursive: true });
    await writeFile(join(root, 'leases', '4194305.json'), JSON.stringify({ pid: 4194305, versions: [v1.id] }));
    const v2 = await publishSnapshot(await tagged('v2'), root, { keep: 1 });
    assert.deepEqual(v2.removed, [v1.id]);
  });
});

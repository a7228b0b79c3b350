import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { privateDir } from '../../src/cli/example-data.js';
import { writeLease } from '../../src/snapshot/leases.js';
import { publishSnapshot } from '../../src/snapshot/publish.js';
import { sampleSnapshot, verifySnapshot } from '../../src/snapshot/verify.js';
import { readRootIndex, ROOT_FILE, versionDir, writeRootIndex } from '../../src/snapshot/versions.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const SECRET = 'do not overwrite me\n';

/** A file someone wants rokv to overwrite through a symlink, and a check that it did not. */
async function victim(): Promise<{ path: string; intact: () => Promise<void> }> {
  const path = join(await tempDir(), 'victim');
  await writeFile(path, SECRET);
  return { path, intact: async () => assert.equal(await readFile(path, 'utf8'), SECRET) };
}

async function rootWithOneVersion(tag = 'a'): Promise<{ root: string; id: string }> {
  const root = join(await tempDir(), 'root');
  const { id } = await publishSnapshot(await snapshotOf({ [KEY]: tag }), root);
  return { root, id };
}

describe('files in a data root', () => {
  test('the index is never written through a symlink planted at a temporary name', async () => {
    const { root } = await rootWithOneVersion();
    const target = await victim();
    // Every name the old scheme (pid and millisecond) would use over the next five seconds, planted
    // again further ahead if planting took most of them.
    const path = join(root, ROOT_FILE);
    const index = await readRootIndex(root);
    for (let attempt = 0; attempt < 5; attempt++) {
      const start = Date.now();
      for (let ms = start; ms < start + 5000; ms++) {
        const name = `${path}.tmp-${process.pid}-${ms}`;
        if (!existsSync(name)) symlinkSync(target.path, name);
      }
      if (Date.now() < start + 4500) break;
    }
    await writeRootIndex(root, index);
    await target.intact();
  });

  test('a lease is never written through a symlink planted at its temporary name', async () => {
    const { root } = await rootWithOneVersion();
    const target = await victim();
    await mkdir(join(root, 'leases'), { recursive: true });
    await symlink(target.path, join(root, 'leases', `${process.pid}.json.tmp`));
    writeLease(root, ['0123456789abcdef']);
    await target.intact();
    const lease = JSON.parse(await readFile(join(root, 'leases', `${process.pid}.json`), 'utf8')) as object;
    assert.deepEqual(lease, { pid: process.pid, versions: ['0123456789abcdef'] });
  });

  test('leases are never written into a directory a symlink points at', async () => {
    const { root } = await rootWithOneVersion();
    const elsewhere = await tempDir();
    await symlink(elsewhere, join(root, 'leases'));
    assert.throws(() => writeLease(root, []), /symbolic link or not a directory/);
    assert.deepEqual(await readdir(elsewhere), []);
  });

  test('published versions are read-only, and pruning still removes them', async () => {
    const root = join(await tempDir(), 'root');
    const first = await publishSnapshot(await snapshotOf({ [KEY]: 'a' }), root);
    const dir = versionDir(root, first.id);
    assert.equal((await stat(dir)).mode & 0o777, 0o555);
    for (const name of await readdir(dir)) assert.equal((await stat(join(dir, name))).mode & 0o777, 0o444, name);
    await publishSnapshot(await snapshotOf({ [KEY]: 'b' }), root, { keep: 1 });
    const third = await publishSnapshot(await snapshotOf({ [KEY]: 'c' }), root, { keep: 1 });
    assert.deepEqual(await readdir(join(root, 'versions')), [third.id]);
  });

  test('a root lock that is a symlink is refused at once, and nothing is written where it points', async () => {
    const { root } = await rootWithOneVersion();
    const elsewhere = await tempDir();
    await symlink(elsewhere, join(root, '.lock'));
    await assert.rejects(
      publishSnapshot(await snapshotOf({ [KEY]: 'b' }), root),
      /\.lock is not a directory; remove it/,
    );
    assert.deepEqual(await readdir(elsewhere), []);
  });

  test('the root lock leaves nothing behind: no lock and no temporary names once publishing ends', async () => {
    const { root } = await rootWithOneVersion();
    const snapshots = await Promise.all(['b', 'c', 'd'].map((tag) => snapshotOf({ [KEY]: tag })));
    await Promise.all(snapshots.map((s) => publishSnapshot(s, root, { activate: false, keep: 10 })));
    assert.deepEqual(
      (await readdir(root)).filter((name) => name.startsWith('.lock')),
      [],
    );
  });

  test('serving and checking a snapshot writes nothing beside it, and follows no planted lock file', async () => {
    const dir = await snapshotOf({ [KEY]: 'v' });
    const before = (await readdir(dir)).sort();
    const store = await LmdbStore.open(dir, { nativeReader: false });
    assert.equal(Buffer.from(store.get(Buffer.from(KEY.replace(/-/g, ''), 'hex'))!).toString(), '"v"');
    await store.close();
    const manifest = await verifySnapshot(dir);
    await sampleSnapshot(dir, manifest);
    assert.deepEqual((await readdir(dir)).sort(), before);
    const target = await victim();
    await symlink(target.path, join(dir, 'data.mdb-lock'));
    await (await LmdbStore.open(dir, { nativeReader: false })).close();
    await verifySnapshot(dir);
    await target.intact();
  });
});

describe('the example snapshot', () => {
  test('lives in a private directory of this user, created 0700', async () => {
    const base = await tempDir();
    const dir = privateDir(base);
    const s = await lstat(dir);
    assert.equal(s.mode & 0o777, 0o700);
    assert.equal(s.uid, process.getuid?.());
    assert.equal(privateDir(base), dir);
  });

  test('refuses a private directory others may enter', async () => {
    const base = await tempDir();
    const dir = privateDir(base);
    await chmod(dir, 0o777);
    assert.throws(() => privateDir(base), /others may use it \(mode 777, expected 700\)/);
  });

  test('refuses a symlink in place of the private directory', async () => {
    const base = await tempDir();
    await symlink(await tempDir(), join(base, `rokv-${process.getuid?.() ?? 0}`));
    assert.throws(() => privateDir(base), /it is not a directory/);
  });

  test(
    'refuses a private directory owned by someone else',
    { skip: process.getuid?.() !== 0 && 'needs root to chown' },
    async () => {
      const base = await tempDir();
      const dir = privateDir(base);
      await chown(dir, 65534, 65534);
      assert.throws(() => privateDir(base), /belongs to user 65534, not to this user/);
    },
  );
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { activateVersion, publishSnapshot } from '../../src/snapshot/publish.js';
import { switchVersion } from '../../src/snapshot/switch-version.js';
import { readRootIndex, resolveDataSource, ROOT_FILE, withCurrent, withRollback } from '../../src/snapshot/versions.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

/** A root with versions a, b (current, after a) and c (staged). */
async function rootOfThree(): Promise<{ root: string; a: string; b: string; c: string }> {
  const root = join(await tempDir(), 'root');
  const a = (await publishSnapshot(await snapshotOf({ [KEY]: 'a' }), root)).id;
  const b = (await publishSnapshot(await snapshotOf({ [KEY]: 'b' }), root)).id;
  const c = (await publishSnapshot(await snapshotOf({ [KEY]: 'c' }), root, { activate: false })).id;
  return { root, a, b, c };
}

describe('switching versions', () => {
  test('a switch checks the version it makes current before the pointer moves', async () => {
    const { root, b, c } = await rootOfThree();
    let checkedWhileCurrent: string | null = 'not checked';
    const done = await switchVersion(
      root,
      (index) => withCurrent(index, root, c),
      async (version) => {
        checkedWhileCurrent = (await readRootIndex(root)).current;
        return version;
      },
    );
    assert.equal(checkedWhileCurrent, b);
    assert.deepEqual([done.version, done.previous, done.checked, done.index.current], [c, b, c, c]);
  });

  test('a switch whose target moved during the check writes nothing and discards what it checked', async () => {
    const { root, a, c } = await rootOfThree();
    const discarded: string[] = [];
    const before = await readFile(join(root, ROOT_FILE), 'utf8');
    await assert.rejects(
      switchVersion(
        root,
        (index) => withRollback(index, root),
        async (version) => {
          assert.equal(version, a);
          // Someone else switches meanwhile: the rollback would now go somewhere else.
          await activateVersion(root, c);
          return `store of ${version}`;
        },
        async (checked) => void discarded.push(checked),
      ),
      /changed while this switch was being checked/,
    );
    assert.deepEqual(discarded, [`store of ${a}`]);
    assert.notEqual(await readFile(join(root, ROOT_FILE), 'utf8'), before);
    assert.equal((await readRootIndex(root)).current, c);
  });

  test('a failed check leaves the pointer where it was', async () => {
    const { root, b, c } = await rootOfThree();
    const refused = switchVersion(
      root,
      (index) => withCurrent(index, root, c),
      () => Promise.reject(new Error('damaged')),
    );
    await assert.rejects(refused, /damaged/);
    assert.equal((await readRootIndex(root)).current, b);
  });

  test('a pointer naming a version that is not listed is refused, and never served', async () => {
    const { root } = await rootOfThree();
    const index = JSON.parse(await readFile(join(root, ROOT_FILE), 'utf8')) as Record<string, unknown>;
    await writeFile(join(root, ROOT_FILE), JSON.stringify({ ...index, current: '0123456789abcdef' }));
    await assert.rejects(readRootIndex(root), /"current" 0123456789abcdef, which is not in its "versions" list/);
    await assert.rejects(resolveDataSource(root), /which is not in its "versions" list/);
  });
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runRokv } from '../helpers/binary.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const OTHER = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';

describe('rokv publish, versions, activate, rollback', () => {
  test('publish, list, get from the root, stage, activate and roll back through the binary', async () => {
    const dir = await tempDir();
    const root = join(dir, 'root');
    const a = await runRokv(['publish', await snapshotOf({ [KEY]: 'first', [OTHER]: 'x' }), '--root', root]);
    assert.equal(a.code, 0, a.stderr);
    const idA = a.stdout.trim();
    assert.match(a.stderr, new RegExp(`version ${idA} \\(2 pairs\\) published to .*; it is now current`));
    const b = await runRokv([
      'publish',
      await snapshotOf({ [KEY]: 'second', [OTHER]: 'y' }),
      '--root',
      root,
      '--no-activate',
    ]);
    assert.equal(b.code, 0, b.stderr);
    const idB = b.stdout.trim();
    assert.match(b.stderr, /staged, not current/);

    const listed = await runRokv(['versions', '--root', root]);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.match(lines[0]!, /ID\s+PAIRS\s+BUILT\s+PUBLISHED\s+SOURCE/);
    assert.match(lines[1]!, new RegExp(`^\\*\\s+${idA}\\s+2\\s`));
    assert.match(lines[2]!, new RegExp(`^\\s+${idB}\\s+2\\s`));
    assert.equal((await runRokv(['get', KEY, '--data', root])).stdout, 'first\n');

    assert.equal((await runRokv(['activate', idB, '--root', root])).code, 0);
    assert.equal((await runRokv(['get', KEY, '--data', root])).stdout, 'second\n');
    const back = await runRokv(['rollback', '--root', root]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr, new RegExp(`version ${idA} is now current`));
    assert.equal((await runRokv(['get', KEY, '--data', root])).stdout, 'first\n');
    const json = JSON.parse((await runRokv(['versions', '--root', root, '--json'])).stdout) as {
      id: string;
      current: boolean;
    }[];
    assert.deepEqual(
      json.map((v) => [v.id, v.current]),
      [
        [idA, true],
        [idB, false],
      ],
    );
    const none = await runRokv(['rollback', '--root', root]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /has no previous version to roll back to/);
  });

  test('activate takes a unique prefix of an id, and says so in one line when a prefix names none or several', async () => {
    // Ids derive from the content: build until two start with the same digit (17 at most, by pigeonhole).
    type Built = { snap: string; id: string; value: string };
    const byDigit = new Map<string, Built>();
    let pair: [Built, Built] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const value = `value ${i}`;
      const snap = await snapshotOf({ [KEY]: value });
      const { id } = JSON.parse(await readFile(join(snap, 'manifest.json'), 'utf8')) as { id: string };
      const twin = byDigit.get(id[0]!);
      if (twin) pair = [twin, { snap, id, value }];
      else byDigit.set(id[0]!, { snap, id, value });
    }
    const [a, b] = pair;
    const root = join(await tempDir(), 'root');
    assert.equal((await runRokv(['publish', a.snap, '--root', root])).code, 0);
    assert.equal((await runRokv(['publish', b.snap, '--root', root, '--no-activate'])).code, 0);

    const ambiguous = await runRokv(['activate', b.id[0]!, '--root', root]);
    assert.equal(ambiguous.code, 1, ambiguous.stderr);
    assert.equal(
      ambiguous.stderr,
      `rokv: "${b.id[0]}" is the start of 2 versions in the data root ${root} (${a.id}, ${b.id}); give more digits of the id\n`,
    );
    const none = await runRokv(['activate', 'nothere', '--root', root]);
    assert.equal(none.code, 1, none.stderr);
    assert.equal(
      none.stderr.split('\n')[0],
      `rokv: no version "nothere" in the data root ${root}; \`rokv versions --root ${root}\` lists them`,
    );

    let shared = 0;
    while (a.id[shared] === b.id[shared]) shared++;
    const prefix = b.id.slice(0, shared + 1);
    const switched = await runRokv(['activate', prefix, '--root', root]);
    assert.equal(switched.code, 0, switched.stderr);
    assert.equal(switched.stderr, `version ${b.id} is now current in ${root}\n`);
    assert.equal((await runRokv(['get', KEY, '--data', root])).stdout, `${b.value}\n`);
  });

  test('publish refuses a version that fails its golden pairs and exits 1 with the reason', async () => {
    const dir = await tempDir();
    const root = join(dir, 'root');
    const golden = join(dir, 'golden.json');
    await writeFile(golden, JSON.stringify({ [KEY]: 'expected' }));
    const res = await runRokv(['publish', await snapshotOf({ [KEY]: 'other' }), '--root', root, '--expect', golden]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`was not published: 1 of 1 expected pairs differ or are missing: ${KEY}`));
    assert.equal((await runRokv(['versions', '--root', root])).stdout.trim().split('\n').length, 1);
  });

  const usage: [string[], RegExp][] = [
    [['publish', 'x'], /--root DIR is required/],
    [
      ['publish', 'x', '--root', 'r', '--max-shrink', 'lots'],
      /^rokv: --max-shrink: expected a percentage like 10% or a fraction like 0.1, got "lots"/,
    ],
    [['publish', 'x', '--root', 'r', '--keep', '0'], /^rokv: --keep: expected a whole number of at least 1, got "0"/],
    [['versions'], /--root DIR is required/],
    [['activate', '--root', 'r'], /^rokv: activate needs ID: ID is missing/],
    [['rollback', '--root', 'r', 'extra'], /^rokv: rollback takes no arguments, got "extra"/],
  ];
  for (const [args, message] of usage) {
    test(`rokv ${args.join(' ')} is a usage error (exit 2)`, async () => {
      const res = await runRokv(args);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, message);
    });
  }
});

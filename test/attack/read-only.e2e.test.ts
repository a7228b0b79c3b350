import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { post, ROKV_BIN, startRokv } from '../helpers/binary.js';
import { snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NOBODY = '65534';

/** Why the namespace test cannot run here, or undefined when it can (root with mount namespaces). */
function unsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create a mount namespace';
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'unshare -m or setpriv is not available';
  }
}

describe('read-only deployment', () => {
  const skip = unsupported();
  test('serves a snapshot from a read-only mount, code read-only too, as a non-root user', { skip }, async () => {
    const snap = await snapshotOf({ [KEY]: 'v' });
    // mkdtemp makes 0700 directories; the unprivileged user must be able to read them (root ignores modes).
    await chmod(snap, 0o755);
    await chmod(dirname(snap), 0o755);
    const before = await readdir(snap);
    // In a private mount namespace: the snapshot and the code become read-only bind mounts, a write
    // probe proves it, then the shell drops to `nobody` and execs rokv (so the pid is rokv's).
    const script = [
      'set -e',
      'mount --make-rprivate /',
      `mount --bind -o ro "${snap}" "${snap}"`,
      `mount --bind -o ro "${REPO}" "${REPO}"`,
      `if touch "${snap}/probe" 2>/dev/null || touch "${dirname(ROKV_BIN)}/probe" 2>/dev/null; then echo "mount is writable" >&2; exit 97; fi`,
      `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups "$@"`,
    ].join('\n');
    const server = await startRokv(
      ['--data', snap, '--workers', '2'],
      {},
      { wrapper: ['unshare', '-m', 'sh', '-c', script, 'rokv'] },
    );
    assert.deepEqual(await post(`${server.url}/get_value`, { key: KEY }), { status: 200, body: { value: 'v' } });
    assert.equal((await post(`${server.url}/get_value`, { key: '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f' })).status, 404);
    const uid = execFileSync('ps', ['-o', 'uid=', '-p', String(server.child.pid)])
      .toString()
      .trim();
    assert.equal(uid, NOBODY);
    assert.equal(await server.stop(), 0);
    assert.deepEqual(await readdir(snap), before, 'nothing was written beside the snapshot');
    assert.ok(!before.includes('data.mdb-lock'));
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { publishSnapshot } from '../../src/snapshot/publish.js';
import { readRootIndex, ROOT_FILE, versionDir, writeRootIndex } from '../../src/snapshot/versions.js';
import { post, runRokv, serveSnapshotOf, startRokv, type ServerProcess } from '../helpers/binary.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'test-admin-token-0123456789';
const KEYS = Array.from({ length: 200 }, () => randomUUID());
const OLD = Object.fromEntries(KEYS.map((k, i) => [k, `old value ${i}`]));
const NEW = Object.fromEntries(KEYS.map((k, i) => [k, `new value ${i} ${'x'.repeat(i % 7)}`]));

/** A data root with OLD published and current, and NEW published and staged (or current). */
async function rootWithTwoVersions(activateNew: boolean): Promise<{ root: string; oldId: string; newId: string }> {
  const root = join(await tempDir(), 'root');
  const oldId = (await publishSnapshot(await snapshotOf(OLD), root)).id;
  const newId = (await publishSnapshot(await snapshotOf(NEW), root, { activate: activateNew })).id;
  return { root, oldId, newId };
}

/** One answer of the load loop. */
interface Answer {
  key: string;
  startedAt: number;
  status: number;
  value: unknown;
  dataset: string | null;
}

/**
 * Sends `/get_value` requests from `concurrency` sequential clients until `stop()` says so, at most
 * `maxRequests` in all and never past `maxMs`. A failed fetch is recorded as status 0.
 */
async function loadLoop(
  url: string,
  stop: () => boolean,
  concurrency = 8,
  maxRequests = 40_000,
  maxMs = 20_000,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const deadline = performance.now() + maxMs;
  let sent = 0;
  const client = async (): Promise<void> => {
    while (!stop() && sent < maxRequests && performance.now() < deadline) {
      const key = KEYS[sent++ % KEYS.length]!;
      const startedAt = performance.now();
      try {
        const res = await fetch(`${url}/get_value`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key }),
          signal: AbortSignal.timeout(5_000),
        });
        const body = (await res.json()) as { value?: unknown };
        answers.push({
          key,
          startedAt,
          status: res.status,
          value: body.value,
          dataset: res.headers.get('rokv-dataset'),
        });
      } catch {
        answers.push({ key, startedAt, status: 0, value: undefined, dataset: null });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return answers;
}

/** Waits (bounded) until the server's log matches `pattern` `times` times; returns when it did. */
async function waitForLog(server: ServerProcess, pattern: RegExp, times = 1, timeoutMs = 10_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const global = new RegExp(pattern.source, 'g');
  while ((server.logs().match(global)?.length ?? 0) < times) {
    if (performance.now() > deadline)
      throw new Error(`log never showed ${pattern} ${times} time(s):\n${server.logs()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now();
}

async function admin(
  url: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method: path === '/admin/status' ? 'GET' : 'POST',
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Flips bytes in the middle of a version's data file: same size, different content. */
async function corrupt(dir: string): Promise<void> {
  const fh = await open(join(dir, 'data.mdb'), 'r+');
  const { size } = await fh.stat();
  await fh.write(Buffer.alloc(64, 0xa5), 0, 64, Math.floor(size / 2));
  await fh.close();
}

describe('versions served live', () => {
  test('swaps versions under load with 2 workers: no failed request, no mixed answer, then only the new one', async (t) => {
    const { root, oldId, newId } = await rootWithTwoVersions(false);
    const server = await startRokv(['--data', root, '--workers', '2']);
    let stopAt = Infinity;
    const load = loadLoop(server.url, () => performance.now() > stopAt);
    await new Promise((r) => setTimeout(r, 500));
    const activated = await runRokv(['activate', newId, '--root', root]);
    assert.equal(activated.code, 0, activated.stderr);
    const bothSwitched = await waitForLog(server, new RegExp(`now serving version ${newId}`), 2);
    stopAt = bothSwitched + 700;
    const answers = await load;

    const failed = answers.filter((a) => a.status !== 200);
    assert.equal(failed.length, 0, `failed requests: ${JSON.stringify(failed.slice(0, 3))}`);
    for (const a of answers) {
      const fromOld = a.value === OLD[a.key];
      const fromNew = a.value === NEW[a.key];
      assert.ok(fromOld || fromNew, `answer for ${a.key} is from neither version: ${JSON.stringify(a.value)}`);
      assert.equal(a.dataset, fromOld ? oldId : newId, 'the rokv-dataset header names the version the value came from');
    }
    const before = answers.filter((a) => a.value === OLD[a.key]).length;
    const after = answers.filter((a) => a.startedAt > bothSwitched);
    t.diagnostic(
      `${answers.length} answers: ${before} from the old version, ${answers.length - before} from the new, ${after.length} after both workers switched`,
    );
    assert.ok(before > 0, 'the old version answered before the swap');
    assert.ok(after.length > 0, 'requests kept coming after the swap');
    assert.deepEqual(
      after.filter((a) => a.value !== NEW[a.key]),
      [],
      'after both workers switched, only the new version answers',
    );
    const pids = [...server.logs().matchAll(new RegExp(`"pid":(\\d+)[^\\n]*now serving version ${newId}`, 'g'))].map(
      (m) => m[1],
    );
    assert.equal(new Set(pids).size, 2, 'each of the 2 workers switched');
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('a corrupt new version is refused, reported, and the old one keeps serving', async () => {
    const { root, oldId, newId } = await rootWithTwoVersions(false);
    await corrupt(versionDir(root, newId));
    const server = await startRokv(['--data', root, '--workers', '1'], { ROKV_ADMIN_TOKEN: TOKEN });
    const key = KEYS[3]!;

    const viaAdmin = await admin(server.url, '/admin/activate', `Bearer ${TOKEN}`, { version: newId });
    assert.equal(viaAdmin.status, 409);
    assert.equal(viaAdmin.body.code, 'VERSION_REFUSED');
    assert.match(String(viaAdmin.body.message), /does not match its sha256/);

    const viaCli = await runRokv(['activate', newId, '--root', root]);
    assert.equal(viaCli.code, 1);
    assert.match(viaCli.stderr, /corrupt: data file data\.mdb does not match its sha256/);

    // Something points the root at it without the CLI's checks (a script, a hand edit): the server still refuses.
    const index = await readRootIndex(root);
    await writeRootIndex(root, { ...index, current: newId, history: [oldId] });
    await waitForLog(server, new RegExp(`refused version ${newId}; still serving ${oldId}`), 2);
    assert.deepEqual(await post(`${server.url}/get_value`, { key }), { status: 200, body: { value: OLD[key] } });
    const status = await admin(server.url, '/admin/status', `Bearer ${TOKEN}`);
    assert.equal(status.body.version, oldId);
    assert.equal((status.body.lastRefusal as { version: string }).version, newId);
    assert.match((status.body.lastRefusal as { reason: string }).reason, /does not match its sha256/);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    const details = (await ready.json()) as {
      versions: { version: string; refusals: number; lastRefusal: { version: string } };
    };
    assert.equal(details.versions.version, oldId);
    assert.equal(details.versions.lastRefusal.version, newId);
    const refusals = details.versions.refusals;
    assert.ok(refusals >= 1, `refusals ${refusals}`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`^rokv_version_refusals_total ${refusals}$`, 'm'));
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('rollback through the admin API restores the previous version', async () => {
    const { root, oldId, newId } = await rootWithTwoVersions(true);
    const server = await startRokv(['--data', root, '--workers', '1'], { ROKV_ADMIN_TOKEN: TOKEN });
    const key = KEYS[7]!;
    assert.deepEqual(await post(`${server.url}/get_value`, { key }), { status: 200, body: { value: NEW[key] } });
    const back = await admin(server.url, '/admin/rollback', `Bearer ${TOKEN}`);
    assert.deepEqual(back, { ...back, status: 200, body: { version: oldId, previous: newId } });
    assert.deepEqual(await post(`${server.url}/get_value`, { key }), { status: 200, body: { value: OLD[key] } });
    const again = await admin(server.url, '/admin/rollback', `Bearer ${TOKEN}`);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'NO_PREVIOUS_VERSION');
    const forward = await admin(server.url, '/admin/activate', `Bearer ${TOKEN}`, { version: newId });
    assert.deepEqual(forward.body, { version: newId, previous: oldId });
    assert.deepEqual(await post(`${server.url}/get_value`, { key }), { status: 200, body: { value: NEW[key] } });
    const unknown = await admin(server.url, '/admin/activate', `Bearer ${TOKEN}`, { version: 'feedbeef' });
    assert.equal(unknown.status, 404);
    assert.equal((JSON.parse(await readFile(join(root, ROOT_FILE), 'utf8')) as { current: string }).current, newId);
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('admin calls without the right bearer token are refused', async () => {
    const { root } = await rootWithTwoVersions(true);
    const server = await startRokv(['--data', root, '--workers', '1'], { ROKV_ADMIN_TOKEN: TOKEN });
    const cases: [string | undefined, number, string][] = [
      [undefined, 401, 'ADMIN_UNAUTHORIZED'],
      ['Basic dXNlcjpwYXNz', 401, 'ADMIN_UNAUTHORIZED'],
      ['Bearer', 401, 'ADMIN_UNAUTHORIZED'],
      ['Bearer wrong', 403, 'ADMIN_FORBIDDEN'],
      [`Bearer ${TOKEN.slice(0, -1)}X`, 403, 'ADMIN_FORBIDDEN'],
      [`Bearer ${TOKEN}${TOKEN}`, 403, 'ADMIN_FORBIDDEN'],
    ];
    for (const [authorization, status, code] of cases) {
      for (const path of ['/admin/rollback', '/admin/activate', '/admin/status']) {
        const res = await admin(
          server.url,
          path,
          authorization,
          path === '/admin/activate' ? { version: 'x' } : undefined,
        );
        assert.equal(res.status, status, `${path} with ${authorization}`);
        assert.equal(res.body.code, code);
        if (status === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
    assert.equal(server.logs().includes('now serving'), false, 'no refused call switched anything');
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('with --admin-port the admin API is served there on loopback, and not beside the data routes', async () => {
    const { root, oldId, newId } = await rootWithTwoVersions(true);
    const server = await startRokv(['--data', root, '--workers', '1', '--admin-port', '0'], {
      ROKV_ADMIN_TOKEN: TOKEN,
    });
    await waitForLog(server, /"adminAddress"/);
    const adminUrl = /"adminAddress":"(http:\/\/[^"]+)"/.exec(server.logs())![1]!;
    assert.match(adminUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(adminUrl, server.url);
    assert.equal((await admin(server.url, '/admin/rollback', `Bearer ${TOKEN}`)).status, 404);
    assert.equal((await admin(adminUrl, '/admin/rollback', undefined)).status, 401);
    const back = await admin(adminUrl, '/admin/rollback', `Bearer ${TOKEN}`);
    assert.deepEqual(back.body, { version: oldId, previous: newId });
    assert.equal((await admin(adminUrl, '/get_value', `Bearer ${TOKEN}`, { key: KEYS[0] })).status, 404);
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('without an admin token the admin routes do not exist, and SIGHUP does not stop a snapshot server', async () => {
    const { root } = await rootWithTwoVersions(true);
    const server = await startRokv(['--data', root, '--workers', '1']);
    const res = await admin(server.url, '/admin/rollback', `Bearer ${TOKEN}`);
    assert.equal(res.status, 404);
    const single = await serveSnapshotOf(OLD, ['--workers', '1']);
    single.child.kill('SIGHUP');
    await waitForLog(single, /nothing to reload/);
    const key = KEYS[0]!;
    assert.deepEqual(await post(`${single.url}/get_value`, { key }), { status: 200, body: { value: OLD[key] } });
    assert.equal(await single.stop('SIGTERM'), 0);
    assert.equal(await server.stop('SIGTERM'), 0);
  });
});

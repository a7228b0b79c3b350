import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { post, runRokv, startRokv } from '../helpers/binary.js';
import { openRaw } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Sends raw bytes on a socket, in 64 KiB slices so that an early answer is read while sending, and
 * returns what came back before the server closed. A server may answer (a 413, say) and close before
 * all bytes are sent: what it said still counts.
 */
async function rawExchange(url: string, bytes: string): Promise<string> {
  const { socket, received, closed } = await openRaw(url);
  // Settles on data, a pause or the close; a socket error ends the exchange like a close (openRaw).
  const nextEvent = (): Promise<unknown> =>
    Promise.race([once(socket, 'data').catch(() => undefined), new Promise((r) => setTimeout(r, 20)), closed]);
  for (let i = 0; i < bytes.length && received().length === 0 && !socket.destroyed; i += 65_536) {
    if (!socket.write(bytes.slice(i, i + 65_536)))
      await Promise.race([once(socket, 'drain').catch(() => undefined), closed]);
    // Give an early answer time to arrive before writing more: writing on after the server has
    // closed draws a reset that can discard the unread answer (seen on a busy machine).
    await nextEvent();
  }
  if (!socket.destroyed) socket.end();
  return (await closed).toString('utf8');
}

describe('rokv binary, end to end', () => {
  test('builds a data set it has never seen and serves every key over a socket', async () => {
    const dir = await tempDir();
    const input = join(dir, 'data.json');
    const gen = await runRokv(['gen', '--count', '2000', '--seed', '4242', '--out', input]);
    assert.equal(gen.code, 0, gen.stderr);
    const out = join(dir, 'snap');
    const built = await runRokv(['build', input, '--out', out]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stderr, /2000 pairs/);

    const server = await startRokv(['--data', out, '--workers', '1']);
    const pairs = JSON.parse(await readFile(input, 'utf8')) as Record<string, string>;
    const entries = Object.entries(pairs);
    assert.equal(entries.length, 2000);
    for (let i = 0; i < entries.length; i += 50) {
      const batch = entries.slice(i, i + 50);
      const answers = await Promise.all(batch.map(([key]) => post(`${server.url}/get_value`, { key })));
      batch.forEach(([, value], j) => assert.deepEqual(answers[j], { status: 200, body: { value } }));
    }

    const malformed: [unknown, string, number][] = [
      ['{"key": ', 'application/json', 400],
      ['[1]', 'application/json', 400],
      [{ key: 123 }, 'application/json', 400],
      [{ key: 'nope' }, 'application/json', 400],
      [{ key: '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f' }, 'application/json', 404],
      [{ key: entries[0]![0] }, 'text/plain', 415],
    ];
    for (const [body, type, status] of malformed) {
      const res = await post(`${server.url}/get_value`, body, type);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(typeof (res.body as { message: unknown }).message, 'string');
    }
    const pad = 'x'.repeat(8 * 2 ** 20);
    const big = await rawExchange(
      server.url,
      `POST /get_value HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${pad.length + 10}\r\n\r\n{"pad":"${pad}"}`,
    );
    assert.match(big, /^HTTP\/1\.1 413[\s\S]*larger than the limit/);
    const garbage = await rawExchange(server.url, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400/);
    const after = await post(`${server.url}/get_value`, { key: entries[1]![0] });
    assert.deepEqual(after, { status: 200, body: { value: entries[1]![1] } });
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const server = await startRokv(['--workers', '1']);
    const { hostname, port } = new URL(server.url);
    // A request whose body is still arriving when the signal lands must still be answered.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { hostname, port, method: 'POST', path: '/get_value', headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"key": "1c39ae30-ec4a-4ffb-');
      setTimeout(() => req.end('88d5-53ef7dfd26a8"}'), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const exit = server.stop('SIGTERM');
    const res = await answer;
    assert.deepEqual(res, { status: 200, body: '{"value":"cqovg yqumexwdn ijwfwc"}' });
    assert.equal(await exit, 0);
  });

  test('serves from several workers and stops them all on SIGTERM', async () => {
    const server = await startRokv(['--workers', '2']);
    assert.match(server.logs(), /with 2 worker/);
    for (let i = 0; i < 20; i++) {
      const res = await post(`${server.url}/get_value`, { key: '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8' });
      assert.equal(res.status, 200);
    }
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  test('exits non-zero with one clear line for a missing snapshot', async () => {
    const dir = await tempDir();
    const res = await runRokv(['serve', '--data', join(dir, 'nothing'), '--port', '0', '--host', '127.0.0.1']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^rokv: no snapshot at .*nothing: manifest\.json not found/);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  });

  test('exits non-zero with one clear line for a corrupt snapshot', async () => {
    const dir = await tempDir();
    const input = join(dir, 'd.json');
    await runRokv(['gen', '--count', '10', '--out', input]);
    await runRokv(['build', input, '--out', join(dir, 'snap')]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'snap', 'data.mdb'), 'truncated');
    const res = await runRokv(['serve', '--data', join(dir, 'snap'), '--port', '0', '--host', '127.0.0.1']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^rokv: snapshot at .* is corrupt: data file data\.mdb has 9 bytes/);
  });

  test('rejects an invalid flag or setting with a usage message and exit 2', async () => {
    const flag = await runRokv(['serve', '--bogus']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^rokv: unknown flag --bogus for serve\nrun `rokv serve --help`/);
    const port = await runRokv(['serve'], { env: { PORT: 'eighty' } });
    assert.equal(port.code, 2);
    assert.equal(port.stderr, 'rokv: --port / PORT: expected a port number 0-65535, got "eighty"\n');
  });

  test('build stops on a bad key, names it, exits 1 and leaves no snapshot', async () => {
    const dir = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'bad.json'), '{"8a35eb59-62b3-481c-8875-1f248df4c952": "ok", "xyz": "bad"}');
    const res = await runRokv(['build', join(dir, 'bad.json'), '--out', join(dir, 'snap')]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /pair #2: key "xyz" is not a canonical UUIDv4/);
    assert.deepEqual(await readdir(dir), ['bad.json']);
  });

  test('get prints a value, and a missing key exits 1', async () => {
    const found = await runRokv(['get', '1C39AE30-EC4A-4FFB-88D5-53EF7DFD26A8']);
    assert.equal(found.code, 0, found.stderr);
    assert.equal(found.stdout, 'cqovg yqumexwdn ijwfwc\n');
    const missing = await runRokv(['get', '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /is not in the data set/);
  });

  test('gen is deterministic for a seed and the example data is its seed-1 output', async () => {
    const a = await runRokv(['gen', '--count', '10000', '--seed', '1']);
    const example = await readFile(new URL('../../data/example.json', import.meta.url), 'utf8');
    assert.equal(a.stdout, example);
    const b = await runRokv(['gen', '--count', '5', '--seed', '2', '--format', 'jsonl']);
    const lines = b.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; value: string });
    assert.equal(lines.length, 5);
    for (const { value } of lines) assert.match(value, /^[a-z]{3,9}( [a-z]{3,9}){0,4}$/);
  });
});

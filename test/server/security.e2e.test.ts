import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFile, rename, writeFile } from 'node:fs/promises';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { hashApiKey } from '../../src/http/api-keys.js';
import { serveSnapshotOf } from '../helpers/binary.js';
import { makeSelfSignedCert } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const body = JSON.stringify({ key: KEY });

/** POSTs the lookup with an optional bearer key; returns the status. */
async function lookup(url: string, apiKey?: string): Promise<number> {
  const res = await fetch(`${url}/get_value`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body,
    signal: AbortSignal.timeout(5_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Polls `check` every 200 ms until it is true or `ms` pass. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Makes one HTTPS lookup trusting `ca`; returns status, body and the certificate's subject CN. */
async function httpsLookup(url: string, ca: Buffer): Promise<{ status: number; body: string; cn: string }> {
  const req = httpsRequest(`${url}/get_value`, {
    method: 'POST',
    ca,
    agent: false,
    headers: { 'content-type': 'application/json' },
    timeout: 5_000,
  });
  req.end(body);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode ?? 0, body: text, cn };
}

describe('rokv serve, closed where it should be', () => {
  test('refuses requests without or with a wrong key and accepts a rotated key without a restart', async () => {
    const dir = await tempDir();
    const keys = join(dir, 'keys');
    await writeFile(keys, `${hashApiKey('first-key')}\n`);
    const server = await serveSnapshotOf({ [KEY]: 'v' }, ['--workers', '2', '--api-keys', keys]);
    assert.equal(await lookup(server.url), 401);
    assert.equal(await lookup(server.url, 'wrong-key'), 401);
    assert.equal(await lookup(server.url, 'first-key'), 200);

    // Rotate the way secret mounts do: write a new file and rename it over the old one.
    await writeFile(`${keys}.new`, `${hashApiKey('second-key')}\n`);
    await rename(`${keys}.new`, keys);
    // Both workers must have picked it up: ask several times on fresh connections.
    assert.ok(
      await eventually(async () =>
        (await Promise.all([1, 2, 3, 4].map(() => lookup(server.url, 'second-key')))).every((s) => s === 200),
      ),
    );
    assert.equal(await lookup(server.url, 'first-key'), 401);
    assert.equal(server.child.exitCode, null);
    assert.doesNotMatch(server.logs(), /first-key|second-key/);
  });

  test('serves HTTPS with a self-signed certificate and swaps it on SIGHUP without a restart', async () => {
    const dir = await tempDir();
    const first = makeSelfSignedCert(dir, 'first');
    const second = makeSelfSignedCert(dir, 'second');
    const cert = join(dir, 'live.crt');
    const key = join(dir, 'live.key');
    await copyFile(first.cert, cert);
    await copyFile(first.key, key);
    const server = await serveSnapshotOf({ [KEY]: 'v' }, ['--workers', '2', '--tls-cert', cert, '--tls-key', key]);
    assert.match(server.url, /^https:/);
    const before = await httpsLookup(server.url, first.certPem);
    assert.deepEqual([before.status, before.body, before.cn], [200, '{"value":"v"}', 'first']);

    await copyFile(second.cert, cert);
    await copyFile(second.key, key);
    const pid = server.child.pid!;
    process.kill(pid, 'SIGHUP');
    assert.ok(
      await eventually(async () => {
        const answers = await Promise.all(
          [1, 2, 3, 4].map(() => httpsLookup(server.url, second.certPem).catch(() => undefined)),
        );
        return answers.every((a) => a?.cn === 'second' && a.status === 200);
      }),
      'every worker serves the renewed certificate',
    );
    assert.equal(server.child.exitCode, null);
  });

  test('serves HTTP/2 over TLS with --http2', async () => {
    const dir = await tempDir();
    const { cert, key, certPem } = makeSelfSignedCert(dir, 'h2');
    const server = await serveSnapshotOf({ [KEY]: 'v' }, [
      '--workers',
      '1',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
      '--http2',
    ]);
    const session = http2Connect(server.url, { ca: certPem });
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/get_value', 'content-type': 'application/json' });
      stream.end(body);
      const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      assert.deepEqual([headers[':status'], text], [200, '{"value":"v"}']);
    } finally {
      session.close();
    }
  });
});

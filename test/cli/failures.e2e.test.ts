import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROKV_BIN, runRokv, type RunResult } from '../helpers/binary.js';
import { sendJson, startFakeServer } from '../helpers/fake-server.js';
import { asNobody, nobodyUnsupported, openToNobody } from '../helpers/nobody.js';
import { eventually } from '../helpers/processes.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

/** Asserts an expected failure: its exit code, its first line on stderr, and no stack trace. */
function assertFails(res: RunResult, code: number, firstLine: string | RegExp): void {
  assert.notEqual(res.code, null, 'the process ended by itself');
  assert.equal(res.code, code, res.stderr);
  const first = res.stderr.split('\n')[0]!;
  if (typeof firstLine === 'string') assert.equal(first, firstLine);
  else assert.match(first, firstLine);
  assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
}

/** A loopback port something already listens on, for the test's whole file. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const { port, server } = await takenPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The ports only root may bind here (below net.ipv4.ip_unprivileged_port_start, 1024 by default). */
function unprivilegedPortStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  } catch {
    return 1024;
  }
}

describe('start-up failures end the whole server with one line', () => {
  const privileged = unprivilegedPortStart() - 1;
  const asUser = nobodyUnsupported() ?? (privileged < 1 ? 'this machine lets every user bind every port' : undefined);
  for (const workers of ['1', '2']) {
    test(
      `a port below 1024 as a non-root user stops rokv serve --workers ${workers} with exit 1`,
      { skip: asUser },
      async () => {
        const snap = await snapshotOf({ [KEY]: 'v' });
        await openToNobody(snap);
        const res = await runRokv(
          ['serve', '--data', snap, '--host', '127.0.0.1', '--port', String(privileged), '--workers', workers],
          { launch: await asNobody([snap]) },
        );
        assertFails(
          res,
          1,
          `rokv: cannot listen on 127.0.0.1:${privileged}: permission denied: ports below 1024 need root (or CAP_NET_BIND_SERVICE); choose a port of 1024 or more with --port / PORT`,
        );
        assert.equal(res.stderr.trim().split('\n').length, 1, 'one line, not one per worker');
      },
    );
  }

  for (const workers of ['1', '2']) {
    test(`a port in use stops rokv serve --workers ${workers} with exit 1`, async () => {
      const { port, server } = await takenPort();
      try {
        const res = await runRokv(['serve', '--host', '127.0.0.1', '--port', String(port), '--workers', workers]);
        assertFails(
          res,
          1,
          `rokv: cannot listen on 127.0.0.1:${port}: the port is already in use; stop what listens there or choose another --port / PORT`,
        );
        assert.equal(res.stderr.trim().split('\n').length, 1, 'one line, not one per worker');
      } finally {
        server.close();
      }
    });
  }

  test('an address the machine does not have names --host', async () => {
    const res = await runRokv(['serve', '--host', '192.0.2.1', '--port', '0', '--workers', '2']);
    assertFails(
      res,
      1,
      /^rokv: cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine; check --host \/ HOST$/,
    );
  });

  test('an unreachable Redis store stops rokv serve, naming HOST:PORT', async () => {
    const port = await closedPort();
    const res = await runRokv(['serve', '--store', `redis://127.0.0.1:${port}`, '--port', '0', '--workers', '2']);
    assertFails(
      res,
      1,
      `rokv: Redis is unreachable at 127.0.0.1:${port} (connection refused (ECONNREFUSED)); start it or point --store / ROKV_STORE at a running one`,
    );
  });

  test('rokv load to an unreachable Redis says so in one line', async () => {
    const port = await closedPort();
    const snap = await snapshotOf({ [KEY]: 'v' });
    const res = await runRokv(['load', snap, '--store', `redis://u:secret@127.0.0.1:${port}`]);
    assertFails(
      res,
      1,
      `rokv: Redis is unreachable at 127.0.0.1:${port} (connection refused (ECONNREFUSED)); start it or point --store / ROKV_STORE at a running one`,
    );
    assert.doesNotMatch(res.stderr, /secret/);
  });
});

describe('output paths are checked before the work', () => {
  test('gen --out into a missing directory fails at once and writes nothing', async () => {
    const dir = await tempDir();
    const res = await runRokv(['gen', '--count', '5', '--out', join(dir, 'nodir', 'x.json')]);
    assertFails(
      res,
      1,
      `rokv: --out ${join(dir, 'nodir', 'x.json')} cannot be written: its directory ${join(dir, 'nodir')} does not exist`,
    );
    assert.deepEqual(await readdir(dir), []);
  });

  test('loadtest --report into a missing directory fails before loading', async () => {
    const server = await startFakeServer((_req, res) => sendJson(res, 404, { message: 'no' }));
    const dir = await tempDir();
    const report = join(dir, 'nodir', 'r.html');
    const res = await runRokv(['loadtest', '--url', server.url, '--requests', '5', '--report', report]);
    assertFails(
      res,
      1,
      `rokv: --report ${report} cannot be written: its directory ${join(dir, 'nodir')} does not exist`,
    );
    assert.equal(server.seen.length, 0, 'no request was sent');
  });

  test('loadtest prints its summary even when the report cannot be written at the end', async () => {
    const dir = await tempDir();
    const report = join(dir, 'r.html');
    // The report path turns into a directory once the run has started: the write at the end fails.
    const server = await startFakeServer((_req, res) => {
      mkdirSync(report, { recursive: true });
      sendJson(res, 404, { message: 'no' });
    });
    const res = await runRokv(['loadtest', '--url', server.url, '--requests', '20', '--report', report]);
    assertFails(res, 1, new RegExp(`^rokv: --report ${report} cannot be written: open ${report}: is a directory`));
    assert.match(res.stdout, /requests/i, 'the summary is printed');
  });

  test('a missing input file is one line', async () => {
    const dir = await tempDir();
    const res = await runRokv(['build', join(dir, 'missing.json'), '--out', join(dir, 'snap')]);
    assertFails(res, 1, `rokv: cannot read ${join(dir, 'missing.json')}: ENOENT`);
    assert.deepEqual(await readdir(dir), []);
  });
});

describe('rokv build', () => {
  test('refuses an empty data set unless --allow-empty, leaving nothing behind', async () => {
    const dir = await tempDir();
    const input = join(dir, 'empty.json');
    await writeFile(input, '{}');
    const res = await runRokv(['build', input, '--out', join(dir, 'snap')]);
    assertFails(
      res,
      1,
      `rokv: no pair was read from ${input}: refusing to build an empty snapshot (give --allow-empty to build one anyway)`,
    );
    assert.deepEqual(await readdir(dir), ['empty.json']);
    const allowed = await runRokv(['build', input, '--out', join(dir, 'snap'), '--allow-empty', '--quiet']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /: 0 pairs/);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`removes its temporary directory on ${signal}`, async () => {
      const dir = await tempDir();
      // Input from a pipe kept open: the build is certainly under way, waiting for more rows.
      const child = spawn(process.execPath, [ROKV_BIN, 'build', '-', '--format', 'jsonl', '--out', join(dir, 'snap')], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      child.stdin.write(`${JSON.stringify({ key: KEY, value: 'v' })}\n`);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      const started = await eventually(
        async () => (await readdir(dir)).some((e) => e.startsWith('.snap.tmp-')),
        60_000,
      );
      assert.ok(started, 'the build made its temporary directory');
      child.kill(signal);
      const [exitCode] = await exited;
      assert.equal(exitCode, code, stderr);
      assert.match(stderr, new RegExp(`^rokv: build stopped by ${signal}; its temporary files are removed`));
      assert.deepEqual(await readdir(dir), []);
    });
  }
});

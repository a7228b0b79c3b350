import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { catalog } from '../../src/errors.js';
import { startRokv } from '../helpers/binary.js';
import { eventually } from '../helpers/processes.js';
import { openRaw } from '../helpers/raw-socket.js';

const KEY = '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8';
const VALUE_BODY = '{"value":"cqovg yqumexwdn ijwfwc"}';
const BODY = JSON.stringify({ key: KEY });

/** Starts POST /get_value with only the first 10 bytes of its body sent: in flight until the rest comes. */
function startHalfSent(socket: Socket): void {
  socket.write(
    `POST /get_value HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`,
  );
}

/** True when a new connection to `port` is refused: the listener is closed, the drain has begun. */
async function refused(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  const outcome = await new Promise<boolean>((resolve) => {
    socket.on('connect', () => resolve(false));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
  socket.destroy();
  return outcome;
}

describe('rokv serve shutting down', () => {
  test('during the SIGTERM drain /readyz answers the catalog 503 NOT_READY, requests on open connections are answered, then it exits 0', async () => {
    const server = await startRokv(['--workers', '1']);
    const port = Number(new URL(server.url).port);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);

    // Two requests in flight: `probe` carries the /readyz request during the drain, `held` keeps
    // the drain open until the test has read that answer.
    const probe = await openRaw(port);
    const held = await openRaw(port);
    startHalfSent(probe.socket);
    startHalfSent(held.socket);
    await new Promise((r) => setTimeout(r, 100));

    const exited = once(server.child, 'exit') as Promise<[number | null]>;
    server.child.kill('SIGTERM');
    assert.ok(await eventually(() => refused(port)), 'the listener closes after SIGTERM');

    // The rest of the in-flight body, then /readyz pipelined behind it on the same connection.
    probe.socket.write(`${BODY.slice(10)}GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n`);
    const answers = (await probe.closed).toString('utf8');
    const [first, second] = answers.split(/(?=HTTP\/1\.1 )/);
    assert.match(first!, /^HTTP\/1\.1 200 /);
    assert.ok(first!.endsWith(VALUE_BODY), first);
    assert.match(second!, /^HTTP\/1\.1 503 /);
    assert.match(second!, /\r\nconnection: close\r\n/i);
    const notReady = JSON.stringify({
      message: catalog.NOT_READY('the server is shutting down').message,
      code: 'NOT_READY',
    });
    assert.ok(second!.endsWith(`\r\n\r\n${notReady}`), second);
    assert.equal(server.child.exitCode, null, 'still draining: one request is in flight');

    // The other in-flight request finishes too, and a data request behind it on the same connection
    // is still answered, with Connection: close.
    held.socket.write(`${BODY.slice(10)}GET /dataset HTTP/1.1\r\nHost: x\r\n\r\n`);
    const [done, dataset] = (await held.closed).toString('utf8').split(/(?=HTTP\/1\.1 )/);
    assert.match(done!, /^HTTP\/1\.1 200 /);
    assert.ok(done!.endsWith(VALUE_BODY), done);
    assert.match(dataset!, /^HTTP\/1\.1 200 /);
    assert.match(dataset!, /\r\nconnection: close\r\n/i);
    assert.match(dataset!, /"count":10000/);
    const [code] = await exited;
    assert.equal(code, 0);
  });
});

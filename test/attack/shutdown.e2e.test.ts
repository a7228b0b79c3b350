import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { post, serveSnapshotOf } from '../helpers/binary.js';
import { openRaw } from '../helpers/raw-socket.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const IN_FLIGHT = 40;
const BODY = JSON.stringify({ key: KEY });

/** Starts a request whose body is only half sent: in flight until `finish()` sends the rest. */
async function halfSent(url: string): Promise<{ finish(): void; answer: Promise<string> }> {
  const { socket, closed } = await openRaw(url);
  socket.write(
    `POST /get_value HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`,
  );
  return {
    finish: () => socket.end(BODY.slice(10)),
    answer: closed.then((bytes) => bytes.toString('utf8')),
  };
}

describe('graceful shutdown', () => {
  for (const workers of [1, 2]) {
    test(`SIGTERM under load with ${workers} worker(s) completes every in-flight request and exits 0`, async (t) => {
      const server = await serveSnapshotOf({ [KEY]: 'v' }, ['--workers', String(workers)]);
      // Background load on keep-alive connections: after SIGTERM new requests may be refused, never broken.
      let running = true;
      const outcomes = new Map<string, number>();
      const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      const loadClients = Array.from({ length: 4 }, async () => {
        for (let n = 0; running && n < 50_000; n++) {
          try {
            const a = await post(`${server.url}/get_value`, { key: KEY });
            count(String(a.status));
            if (a.status === 200) assert.deepEqual(a.body, { value: 'v' });
          } catch (err) {
            count((err as { cause?: { code?: string } }).cause?.code ?? 'error');
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      });

      const pending = await Promise.all(Array.from({ length: IN_FLIGHT }, () => halfSent(server.url)));
      await new Promise((r) => setTimeout(r, 500));
      const exited = once(server.child, 'exit') as Promise<[number | null]>;
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      for (const p of pending) p.finish();
      const answers = await Promise.all(pending.map((p) => p.answer));
      const [code] = await exited;
      running = false;
      await Promise.all(loadClients);

      const completed = answers.filter((a) => a.startsWith('HTTP/1.1 200') && a.endsWith('{"value":"v"}')).length;
      assert.equal(completed, IN_FLIGHT, `in-flight requests completed: ${completed}/${IN_FLIGHT}`);
      assert.equal(code, 0);
      assert.ok((outcomes.get('200') ?? 0) > 0);
      // Allowed after the signal: refused connections and 503 "closing"; never a 500 or a broken answer.
      const unexpected = [...outcomes.keys()].filter(
        (k) => !['200', '503', 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(k),
      );
      assert.deepEqual(unexpected, [], JSON.stringify([...outcomes]));
      t.diagnostic(`background load outcomes: ${JSON.stringify([...outcomes])}`);
    });
  }
});

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { dataRoutes } from '../../src/api/routes.js';
import { parseServeConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import type { Store } from '../../src/store/store.js';
import { formatUuid } from '../../src/uuid.js';
import { openRaw } from '../helpers/raw-socket.js';
import { snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const BAD = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const FORGED = 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 14\r\n\r\n<h1>pwned</h1>';
/**
 * Stored value bytes that are not UTF-8: 0xff bytes, each of which a UTF-8 decoding turns into the
 * three bytes of U+FFFD, followed by a whole HTTP response. Decoded, the body would grow by two bytes
 * per 0xff and the client would read the tail as the answer to its next request.
 */
const CRAFTED = Buffer.concat([Buffer.from('"'), Buffer.alloc(FORGED.length / 2, 0xff), Buffer.from(`${FORGED}"`)]);

/**
 * A store answering CRAFTED for BAD, as an engine would whose data no check has proved UTF-8 (a
 * snapshot served with a quick check, a Redis loaded by another writer).
 */
function craftedStore(inner: LmdbStore): Store {
  const bad = (key: Uint8Array): boolean => formatUuid(key) === BAD;
  return {
    get: (key) => (bad(key) ? CRAFTED : inner.get(key)),
    getMany: (keys) => Promise.resolve(keys.map((key) => (bad(key) ? CRAFTED : inner.get(key)?.slice()))),
    info: () => inner.info(),
    close: () => Promise.resolve(),
  };
}

/** One response read off the wire: its status, Content-Length and the exact bytes of its body. */
interface WireAnswer {
  status: number;
  contentLength: number;
  body: Buffer;
}

/** Splits the bytes a connection received into responses, each framed by its Content-Length. */
function splitResponses(bytes: Buffer): WireAnswer[] {
  const answers: WireAnswer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    assert.ok(end > 0, `no response head at byte ${at}: ${bytes.subarray(at, at + 80).toString('latin1')}`);
    const head = bytes.subarray(at, end).toString('latin1');
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
    assert.ok(status, `not a response head: ${head}`);
    const length = /\r\ncontent-length: (\d+)/i.exec(head);
    assert.ok(length, head);
    const contentLength = Number(length[1]);
    answers.push({
      status: Number(status[1]),
      contentLength,
      body: bytes.subarray(end + 4, end + 4 + contentLength),
    });
    at = end + 4 + contentLength;
  }
  return answers;
}

/** Sends `bodies` to `path` pipelined on one connection (the last closes it) and returns every byte received. */
async function pipelined(port: number, requests: [string, string][]): Promise<Buffer> {
  const { socket, closed } = await openRaw(port);
  const wire = requests.map(
    ([path, body], i) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${i === requests.length - 1 ? 'Connection: close\r\n' : ''}\r\n${body}`,
  );
  socket.write(wire.join(''));
  return closed;
}

const one = (key: string): string => JSON.stringify({ key });
const many = (...keys: string[]): string => JSON.stringify({ keys });
const pairs = { [KEY]: 'an honest value' };
const HONEST = Buffer.from(`{"value":${JSON.stringify(pairs[KEY])}}`);
const CRAFTED_ANSWER = Buffer.concat([Buffer.from('{"value":'), CRAFTED, Buffer.from('}')]);

let inner: LmdbStore;
let store: Store;
before(async () => {
  inner = await LmdbStore.open(await snapshotOf(pairs));
  store = craftedStore(inner);
});
after(() => inner.close());

describe('an answer holding value bytes that are not UTF-8', () => {
  test('is, from the answer core, exactly the stored bytes in their frame', async () => {
    const limits = { bodyLimit: 4096, batch: { maxKeys: 10, bodyLimit: 4096, maxAnswerBytes: 1 << 20 } };
    const routes = dataRoutes(store, limits, (err) => assert.fail(String(err)));
    const single = await routes.getValue.answer(Buffer.from(one(BAD)));
    assert.deepEqual(Buffer.from(single.body), CRAFTED_ANSWER);
    const batch = await routes.getValues.answer(Buffer.from(many(BAD, KEY)));
    assert.deepEqual(
      Buffer.from(batch.body),
      Buffer.concat([Buffer.from('{"results":['), CRAFTED_ANSWER, Buffer.from(','), HONEST, Buffer.from(']}')]),
    );
  });

  for (const [name, fastLane] of [
    ['the fast lane', true],
    ['Fastify', false],
  ] as const) {
    describe(`through ${name}`, () => {
      let app: FastifyInstance;
      let port: number;
      before(async () => {
        app = buildApp(store, parseServeConfig({ workers: 1, fastLane }));
        await app.listen({ host: '127.0.0.1', port: 0 });
        port = (app.server.address() as AddressInfo).port;
      });
      after(() => app.close());

      test('on /get_value sends exactly the bytes it counted, so the next answer on the connection is the real one', async () => {
        const answers = splitResponses(
          await pipelined(port, [
            ['/get_value', one(BAD)],
            ['/get_value', one(KEY)],
          ]),
        );
        assert.equal(answers.length, 2);
        assert.deepEqual(answers[0]!.body, CRAFTED_ANSWER);
        assert.deepEqual(answers[1], { status: 200, contentLength: HONEST.length, body: HONEST });
      });

      test('on /get_values sends exactly the bytes it counted, so the next answer on the connection is the real one', async () => {
        const answers = splitResponses(
          await pipelined(port, [
            ['/get_values', many(BAD, KEY)],
            ['/get_value', one(KEY)],
          ]),
        );
        assert.equal(answers.length, 2);
        assert.equal(answers[0]!.status, 200);
        assert.ok(answers[0]!.body.includes(CRAFTED), 'the stored bytes are in the batch answer as they are');
        assert.deepEqual(answers[1], { status: 200, contentLength: HONEST.length, body: HONEST });
      });
    });
  }
});

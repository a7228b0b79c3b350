import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { describe, test } from 'node:test';
import { post, serveSnapshotOf, type ServerProcess } from '../helpers/binary.js';
import { childPids, eventually } from '../helpers/processes.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const CLIENTS = 8;

/**
 * Keeps `CLIENTS` clients asking until `stop()`; counts answers by outcome. They share one keep-alive
 * agent of at most `CLIENTS` sockets, so that "at most one lost request per connection" can be held
 * to a number: fetch's pool may open more sockets than clients on a busy machine.
 */
function load(server: ServerProcess) {
  let running = true;
  const outcomes = { ok: 0, failed: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const url = new URL('/get_value', server.url);
  const body = JSON.stringify({ key: KEY });
  const ask = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  const client = async (): Promise<void> => {
    for (let n = 0; running && n < 100_000; n++) {
      try {
        if ((await ask()) === 200) outcomes.ok++;
        else outcomes.failed++;
      } catch {
        outcomes.failed++;
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      return outcomes;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash recovery', () => {
  test('kill -9 of one worker under load loses only a few requests, and the worker is replaced', async (t) => {
    const server = await serveSnapshotOf({ [KEY]: 'v' }, ['--workers', '2']);
    const primary = server.child.pid!;
    const before = await childPids(primary);
    assert.equal(before.length, 2);
    const traffic = load(server);
    await sleep(1_500);
    const okBeforeKill = traffic.outcomes.ok;
    process.kill(before[0]!, 'SIGKILL');
    assert.ok(
      await eventually(async () => {
        const now = await childPids(primary);
        return now.length === 2 && !now.includes(before[0]!) && /replacement worker is serving/.test(server.logs());
      }, 30_000),
      'a replacement worker is serving',
    );
    await sleep(1_000);
    const { ok, failed } = await traffic.stop();
    t.diagnostic(`kill -9 under load: ${ok} answered, ${failed} failed`);
    // A killed worker takes down only the requests on its own connections: at most one per socket.
    assert.ok(failed <= CLIENTS, `${failed} failed requests`);
    assert.ok(ok > okBeforeKill + 100, 'the other worker kept serving and the replacement serves too');
    assert.match(server.logs(), /worker died; replacing it/);
    assert.equal(server.child.exitCode, null);
  });

  test('a crash loop is detected and reported while the surviving worker keeps serving', async () => {
    const server = await serveSnapshotOf({ [KEY]: 'v' }, ['--workers', '2']);
    const primary = server.child.pid!;
    const [survivor, victim] = await childPids(primary);
    let current = victim!;
    for (let kill = 0; kill < 5; kill++) {
      process.kill(current, 'SIGKILL');
      assert.ok(
        await eventually(async () => {
          const next = (await childPids(primary)).find((p) => p !== survivor && p !== current);
          if (next !== undefined) current = next;
          return next !== undefined;
        }, 30_000),
        `replacement ${kill + 1} was forked`,
      );
      assert.deepEqual(await post(`${server.url}/get_value`, { key: KEY }), { status: 200, body: { value: 'v' } });
    }
    assert.match(server.logs(), /crash loop: workers keep dying/);
    assert.match(server.logs(), /"deathsLastMinute":5/);
    assert.ok((await childPids(primary)).includes(survivor!), 'the surviving worker was left alone');
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { parseServeConfig } from '../../src/config.js';
import { startServer } from '../../src/server/serve.js';
import { ServerSignals } from '../../src/server/signals.js';
import { publishSnapshot } from '../../src/snapshot/publish.js';
import { readRootIndex, writeRootIndex } from '../../src/snapshot/versions.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

/** A logger that keeps its lines, parsed. */
function recordingLogger(): { logger: pino.Logger; lines: { msg: string; reload?: string }[] } {
  const lines: { msg: string; reload?: string }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; reload?: string }) },
  );
  return { logger, lines };
}

describe('the server owns its signals', () => {
  test('SIGHUP runs every reloader, one failing not stopping the next', async () => {
    const { logger, lines } = recordingLogger();
    const signals = new ServerSignals(logger);
    const ran: string[] = [];
    signals.onReload('first', () => {
      ran.push('first');
      throw new Error('broken');
    });
    signals.onReload('second', async () => {
      ran.push('second');
    });
    await signals.reload();
    assert.deepEqual(ran, ['first', 'second']);
    assert.ok(lines.some((l) => l.msg === 'reload of first failed; keeping the previous one'));
    assert.ok(lines.some((l) => l.msg === 'reloaded second'));
  });

  test('listen installs one handler per signal and removes them again', () => {
    const signals = new ServerSignals(pino({ level: 'silent' }));
    const counts = () => ['SIGHUP', 'SIGTERM', 'SIGINT'].map((s) => process.listenerCount(s));
    const before = counts();
    const remove = signals.listen(async () => undefined);
    assert.deepEqual(
      counts(),
      before.map((n) => n + 1),
    );
    remove();
    assert.deepEqual(counts(), before);
  });

  test("a server on a data root reloads its version from SIGHUP's registry", async () => {
    const root = join(await tempDir(), 'root');
    const a = await publishSnapshot(await snapshotOf({ '8a35eb59-62b3-481c-8875-1f248df4c952': 'a' }), root);
    const b = await publishSnapshot(await snapshotOf({ '8a35eb59-62b3-481c-8875-1f248df4c952': 'b' }), root, {
      activate: false,
    });
    const { logger, lines } = recordingLogger();
    const config = parseServeConfig({ workers: 1, port: 0, host: '127.0.0.1', logLevel: 'info' });
    const server = await startServer(config, root, logger);
    try {
      assert.equal(server.reloader?.status().version, a.id);
      const index = await readRootIndex(root);
      await writeRootIndex(root, { ...index, current: b.id, history: [a.id] });
      await server.signals.reload();
      assert.equal(server.reloader?.status().version, b.id);
      assert.ok(lines.some((l) => l.reload === 'data root' && l.msg === 'reloaded data root'));
    } finally {
      await server.close();
    }
  });
});

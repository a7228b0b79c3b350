import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseServeConfig, serveConfigSchema } from '../../src/config.js';
import { ApiKeys, hashApiKey } from '../../src/http/api-keys.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import { servesFastLane } from '../../src/http/fast-lane.js';
import { REQUEST_HOOKS } from '../../src/http/request-hooks.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { snapshotOf } from '../helpers/snapshot.js';

/**
 * Hooks that run before or around a route's answer and so could change it. onResponse is not
 * among them: it runs after the answer is sent, and the metrics hook there is mirrored by the lane.
 */
const ANSWER_HOOKS =
  /\b(onTimeout|onRequest|preParsing|preValidation|preSerialization|preHandler|onSend|onError|onRequestAbort)\b/;

/** Whether any POST route of `app` (the data routes among them) runs a hook that could change its answer. */
function runsAnswerHooks(app: FastifyInstance): boolean {
  return ANSWER_HOOKS.test(app.printRoutes({ includeHooks: true, method: 'POST' }));
}

let store: LmdbStore;
before(async () => {
  store = await LmdbStore.open(await snapshotOf({ '8a35eb59-62b3-481c-8875-1f248df4c952': 'v' }));
});
after(() => store.close());

/** Builds and readies an app with `config` over the defaults, and `options`. */
async function appWith(config: Record<string, unknown>, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = buildApp(store, parseServeConfig({ workers: 1, ...config }), options);
  await app.ready();
  return app;
}

// What turns each request hook on: config, or the app's options (API keys come from a file).
const turnsOn: Record<string, [Record<string, unknown>, AppOptions]> = {
  CORS: [{ corsOrigins: ['https://example.test'] }, {}],
  'load shedding': [{ maxEventLoopLagMs: 500 }, {}],
  'rate limiting': [{ rateLimit: 100 }, {}],
  'API keys': [{}, { apiKeys: new ApiKeys({ digests: hashApiKey('k') }) }],
};

describe('the fast lane and the request hooks', () => {
  test('with no option on, the app runs no answer hook and uses the lane', async () => {
    const app = await appWith({});
    try {
      assert.equal(runsAnswerHooks(app), false);
      assert.equal(servesFastLane(app.server), true);
    } finally {
      await app.close();
    }
  });

  test('every hook of the table has a case here', () => {
    assert.deepEqual(Object.keys(turnsOn).sort(), REQUEST_HOOKS.map((hook) => hook.name).sort());
  });

  for (const hook of REQUEST_HOOKS) {
    test(`with ${hook.name} on, the hook runs on the data routes and the lane steps aside`, async () => {
      const [config, options] = turnsOn[hook.name]!;
      const app = await appWith(config, options);
      try {
        assert.equal(runsAnswerHooks(app), true);
        assert.equal(servesFastLane(app.server), false);
      } finally {
        await app.close();
      }
    });
  }

  // Every option of `rokv serve` set away from its default, one at a time: whichever of them adds
  // a hook (in the table or not), the lane must not run beside it.
  const defaults = parseServeConfig({ workers: 1 }) as Record<string, unknown>;
  for (const [option, schema] of Object.entries(serveConfigSchema.shape)) {
    const value = otherValue(defaults[option], schema);
    // Skipped: options the app does not read, and those valid only with others (HTTP/2 needs TLS files).
    if (value === undefined || !serveConfigSchema.safeParse({ ...defaults, [option]: value }).success) continue;
    test(`with ${option} set to ${JSON.stringify(value)}, the lane runs only if no answer hook does`, async () => {
      const app = await appWith({ [option]: value });
      try {
        assert.ok(!(runsAnswerHooks(app) && servesFastLane(app.server)), 'a hook runs beside the lane');
      } finally {
        await app.close();
      }
    });
  }
});

/** A valid value for an option other than its default, or undefined for options the app does not read. */
function otherValue(current: unknown, schema: unknown): unknown {
  if (typeof current === 'boolean') return !current;
  if (typeof current === 'number') return current === 0 ? 50 : current + 1;
  if (Array.isArray(current)) return ['https://example.test'];
  const options = (schema as { unwrap?: () => { options?: unknown[] } }).unwrap?.().options;
  if (typeof current === 'string' && options) return options.find((o) => o !== current);
  // Optional paths, URLs and secrets: read by the process around the app, not by buildApp.
  return undefined;
}

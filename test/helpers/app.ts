import type { FastifyInstance } from 'fastify';
import { parseServeConfig } from '../../src/config.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { snapshotOf } from './snapshot.js';

/** An app over a fresh snapshot of `pairs`, ready for `inject`; `close` closes it and its store. */
export async function appOf(
  pairs: Record<string, string>,
  config: Record<string, unknown> = {},
  options: AppOptions = {},
): Promise<{ app: FastifyInstance; store: LmdbStore; close: () => Promise<void> }> {
  const store = await LmdbStore.open(await snapshotOf(pairs));
  const app = buildApp(store, parseServeConfig({ workers: 1, ...config }), options);
  const close = async (): Promise<void> => {
    await app.close();
    await store.close();
  };
  await app.ready();
  return { app, store, close };
}

/** POSTs `body` (serialised unless already a string) as JSON to `url` through inject. */
export function postJson(app: FastifyInstance, url: string, body: unknown) {
  return app.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/** Response header naming the data set version that answered. */
export const DATASET_HEADER = 'rokv-dataset';

/**
 * Adds the `rokv-dataset` header to every answer. It is read in onSend, right after the handler's
 * lookup and in the same turn of the event loop for a synchronous engine, so it names the version
 * the value came from even while versions are being swapped.
 */
export function registerDatasetHeader(app: FastifyInstance, store: Store): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header(DATASET_HEADER, store.info().id);
    done(null, payload);
  });
}

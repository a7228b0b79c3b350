import type { Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { DATASET_HEADER, JSON_TYPE } from '../api/contract.js';
import { datasetSchema } from '../api/schemas.js';
import type { Store } from '../store/store.js';
import { rejectOtherMethods } from './errors.js';
import { curlDoc, jsonDoc, type RouteDocs } from './openapi.js';

const docs: RouteDocs = {
  summary: 'Describe the data set being served',
  description: curlDoc('curl -s localhost:8080/dataset'),
  response: { 200: jsonDoc(datasetSchema, "The manifest's public fields.") },
};

/**
 * Stamps every response of `server` with the data set's id (the data routes' cores name it again
 * after their lookup, in their answer's headers). A `request` listener that runs before
 * Fastify's costs one setHeader; a Fastify hook would cost a hook run on every `/get_value`. Node
 * merges headers set here with the ones Fastify writes, so error, 404 and 503 answers carry it too.
 */
export function stampDatasetHeader(server: Pick<Server, 'prependListener'>, store: Store): void {
  server.prependListener('request', (_request, response) => stampDataset(response, store));
}

/** Names the data set `store` serves now on `response`, for an answer on its way to Fastify. */
export function stampDataset(response: Pick<ServerResponse, 'setHeader'>, store: Store): void {
  response.setHeader(DATASET_HEADER, store.info().id);
}

/** Registers `GET /dataset`: the public fields of the served snapshot's manifest. */
export function registerDataset(app: FastifyInstance, store: Store): void {
  app.get('/dataset', { config: { docs } }, (_request, reply) => {
    const { id, count, createdAt, source, formatVersion } = store.info();
    return reply.type(JSON_TYPE).send(JSON.stringify({ id, count, createdAt, source, formatVersion }));
  });
  rejectOtherMethods(app, '/dataset', ['GET', 'HEAD']);
}

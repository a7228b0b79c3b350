import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ROKV_VERSION } from '../version.js';
import { rejectOtherMethods } from './errors.js';
import {
  datasetSchema,
  errorSchema,
  keyRequestSchema,
  keySchema,
  probeSchema,
  resultsSchema,
  valueSchema,
} from './schemas.js';

const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The curl example every documented route shows (the README carries the same ones). */
function curl(command: string): string {
  return `Example:\n\n    ${command}`;
}

/**
 * What the OpenAPI document says about each route, keyed by "METHOD url". Routes that Fastify
 * validates (POST /get_values) keep their own body schema; the others validate by hand and are
 * documented with the schemas their hand validation enforces.
 */
function routeDocs(maxKeys: number): Record<string, FastifySchema & Record<string, unknown>> {
  const errors = { 400: json(errorSchema, 'The request is malformed; the message says why.') };
  return {
    'POST /get_value': {
      summary: 'Look one key up (the original contract)',
      description: curl(
        `curl -s localhost:8080/get_value -H 'content-type: application/json' -d '{"key":"8a35eb59-62b3-481c-8875-1f248df4c952"}'`,
      ),
      body: keyRequestSchema,
      response: {
        200: json(valueSchema, 'The value.'),
        404: json(errorSchema, 'The key is a valid UUIDv4 but not in the data set.'),
        ...errors,
        413: json(errorSchema, 'The body is over the size limit.'),
        415: json(errorSchema, 'The content type is not application/json.'),
      },
    },
    'POST /get_values': {
      summary: `Look 1 to ${maxKeys} keys up in one round trip`,
      description: curl(
        `curl -s localhost:8080/get_values -H 'content-type: application/json' -d '{"keys":["8a35eb59-62b3-481c-8875-1f248df4c952","0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f"]}'`,
      ),
      response: {
        200: json(resultsSchema, 'One result per key, in order; each exactly what POST /get_value answers.'),
        ...errors,
        413: json(errorSchema, `More than ${maxKeys} keys, or the body is over the size limit.`),
        415: json(errorSchema, 'The content type is not application/json.'),
      },
    },
    'GET /values/:key': {
      summary: 'Look one key up with a cacheable GET',
      description: curl(`curl -si localhost:8080/values/8a35eb59-62b3-481c-8875-1f248df4c952`),
      params: { type: 'object', required: ['key'], properties: { key: keySchema } },
      response: {
        200: {
          ...json(valueSchema, 'The value, with a strong ETag and Cache-Control: public.'),
          headers: { etag: { schema: { type: 'string' } }, 'cache-control': { schema: { type: 'string' } } },
        },
        304: { description: 'If-None-Match matched the ETag.' },
        404: json(errorSchema, 'The key is a valid UUIDv4 but not in the data set.'),
        ...errors,
      },
    },
    'GET /dataset': {
      summary: 'Describe the data set being served',
      description: curl('curl -s localhost:8080/dataset'),
      response: { 200: json(datasetSchema, "The manifest's public fields.") },
    },
    'GET /healthz': {
      summary: 'Liveness: the process answers',
      description: curl('curl -s localhost:8080/healthz'),
      response: { 200: json(probeSchema, 'Alive.') },
    },
    'GET /readyz': {
      summary: 'Readiness: the data set is open and answers lookups',
      description: curl('curl -s localhost:8080/readyz'),
      response: { 200: json(probeSchema, 'Ready.'), 503: json(errorSchema, 'Starting or shutting down.') },
    },
    'GET /metrics': {
      summary: 'Prometheus metrics (all workers)',
      description: curl('curl -s localhost:8080/metrics'),
      response: {
        200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
    'GET /openapi.json': {
      summary: 'This document',
      description: curl('curl -s localhost:8080/openapi.json'),
      response: {
        200: { description: 'OpenAPI 3 document.', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
}

/**
 * Registers the OpenAPI document (`/openapi.json`) and Swagger UI (`/docs`, assets served from the
 * package, no CDN). Must run before the routes are added: @fastify/swagger collects them as they are.
 */
export function installOpenApi(app: FastifyInstance, maxKeys: number): void {
  const docs = routeDocs(maxKeys);
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'rokv',
        version: ROKV_VERSION,
        description:
          'A read-only key-value server: UUIDv4 keys, string values, served from an immutable snapshot. ' +
          'Every response carries the served data set id in the `rokv-dataset` header.',
      },
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? undefined : route.method;
      const doc = method === undefined ? undefined : docs[`${method} ${url}`];
      // Only the documented routes show: not the 405 catch-alls, HEAD twins or the docs' own assets.
      if (doc === undefined) return { schema: { ...schema, hide: true }, url };
      const { body: _validated, ...rest } = doc;
      return { schema: { ...schema, ...rest, body: schema?.body ?? doc.body }, url };
    },
  });
  void app.register(swaggerUi, {
    routePrefix: '/docs',
    // The validator badge would call validator.swagger.io: rokv's docs make no request off the server.
    uiConfig: { validatorUrl: null },
    staticCSP: true,
  });
  void app.after(() => {
    app.get('/openapi.json', (_request, reply) => reply.send(app.swagger()));
    rejectOtherMethods(app, '/openapi.json', ['GET', 'HEAD']);
  });
}

import type { FastifyInstance, FastifyReply } from 'fastify';
import { answerHeaders, DATA_METHOD, REQUEST_TYPE, type Answer } from '../api/contract.js';
import type { DataRoute } from '../api/get-value.js';
import type { DataRoutes } from '../api/routes.js';
import {
  errorSchema,
  EXAMPLE_KEYS,
  keyRequestSchema,
  keysRequestSchema,
  resultsSchema,
  valueSchema,
} from '../api/schemas.js';
import { rejectOtherMethods } from './errors.js';
import type { Metrics } from './metrics.js';
import { curlDoc, jsonDoc, type RouteDocs } from './openapi.js';

const badRequest = jsonDoc(errorSchema, 'The request is malformed; the message says why.');
const badType = jsonDoc(errorSchema, 'The content type is not application/json.');

/** The OpenAPI documentation of `POST /get_value`. */
const getValueDocs: RouteDocs = {
  summary: 'Look one key up (the original contract)',
  description: curlDoc(
    `curl -s localhost:8080/get_value -H 'content-type: application/json' -d '{"key":"${EXAMPLE_KEYS[0]}"}'`,
  ),
  body: keyRequestSchema,
  response: {
    200: jsonDoc(valueSchema, 'The value.'),
    404: jsonDoc(errorSchema, 'The key is a valid UUIDv4 but not in the data set.'),
    400: badRequest,
    413: jsonDoc(errorSchema, 'The body is over the size limit.'),
    415: badType,
  },
};

/** The OpenAPI documentation of `POST /get_values` with at most `maxKeys` keys. */
function getValuesDocs(maxKeys: number): RouteDocs {
  return {
    summary: `Look 1 to ${maxKeys} keys up in one round trip`,
    description: curlDoc(
      `curl -s localhost:8080/get_values -H 'content-type: application/json' -d '${JSON.stringify({ keys: EXAMPLE_KEYS })}'`,
    ),
    body: keysRequestSchema(maxKeys),
    response: {
      200: jsonDoc(resultsSchema, 'One result per key, in order; each exactly what POST /get_value answers.'),
      400: badRequest,
      413: jsonDoc(
        errorSchema,
        `More than ${maxKeys} keys, the body is over the size limit, or the answer would be over its size limit.`,
      ),
      415: badType,
    },
  };
}

/** Sends a core's answer through Fastify: its status, headers and bytes, and counts its outcome. */
function send(reply: FastifyReply, answer: Answer, metrics: Metrics): FastifyReply {
  metrics.countOutcome(answer.outcome);
  const headers = answerHeaders(answer);
  for (let i = 0; i < headers.length; i += 2) void reply.header(headers[i]!, headers[i + 1]);
  const { body } = answer;
  return reply
    .code(answer.status)
    .send(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length));
}

/**
 * Registers the data routes on Fastify, answered by their cores. In a plugin of their own, so that
 * their body parser (the body's bytes, handed to the core as they came) applies to them only.
 */
export function registerDataRoutes(app: FastifyInstance, routes: DataRoutes, metrics: Metrics, maxKeys: number): void {
  const docs = new Map<DataRoute, RouteDocs>([
    [routes.getValue, getValueDocs],
    [routes.getValues, getValuesDocs(maxKeys)],
  ]);
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(REQUEST_TYPE, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const [route, routeDocs] of docs) {
      scope.route({
        method: DATA_METHOD,
        url: route.path,
        bodyLimit: route.bodyLimit,
        config: { docs: routeDocs },
        handler: (request, reply) => {
          const answer = route.answer(request.body as Buffer | undefined);
          if (answer instanceof Promise) return answer.then((settled) => send(reply, settled, metrics));
          return send(reply, answer, metrics);
        },
      });
      rejectOtherMethods(scope, route.path, [DATA_METHOD]);
    }
  });
}

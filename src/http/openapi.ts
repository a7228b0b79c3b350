import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { REQUEST_TYPE } from '../api/contract.js';
import { ROKV_VERSION } from '../version.js';
import { rejectOtherMethods } from './errors.js';

/**
 * What the OpenAPI document says about a route, declared with the route as `config.docs`. Schemas
 * here document the contract and are not compiled by Fastify: the routes validate by hand (the
 * data routes in their answer cores, the same for every runtime), and test/http/openapi.test.ts
 * checks the documented schemas agree with the answers.
 */
export type RouteDocs = FastifySchema & { summary: string; description: string; response: Record<string, unknown> };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's OpenAPI documentation; a route without it is left out of the document. */
    docs?: RouteDocs;
  }
}

/** A response documented as JSON with `schema`. */
export function jsonDoc(schema: object, description: string) {
  return { description, content: { [REQUEST_TYPE]: { schema } } };
}

/** The curl example every documented route shows (the README carries the same ones). */
export function curlDoc(command: string): string {
  return `Example:\n\n    ${command}`;
}

/**
 * Registers the OpenAPI document (`/openapi.json`) and Swagger UI (`/docs`, assets served from the
 * package, no CDN). Must run before the routes are added: @fastify/swagger collects them as they are.
 */
export function installOpenApi(app: FastifyInstance): void {
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
      const docs = route.config?.docs;
      // Only the documented routes show: not the 405 catch-alls, HEAD twins or the docs' own assets.
      if (docs === undefined || route.method === 'HEAD') return { schema: { ...schema, hide: true }, url };
      return { schema: { ...schema, ...docs }, url };
    },
  });
  void app.register(swaggerUi, {
    routePrefix: '/docs',
    // The validator badge would call validator.swagger.io: rokv's docs make no request off the server.
    uiConfig: { validatorUrl: null },
    staticCSP: true,
    // The plugin's policy asks browsers to fetch the assets over HTTPS: a rokv on plain HTTP reached
    // by any name but localhost would show a blank page. TLS, when on, serves the page over HTTPS anyway.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  void app.after(() => {
    app.get(
      '/openapi.json',
      {
        config: {
          docs: {
            summary: 'This document',
            description: curlDoc('curl -s localhost:8080/openapi.json'),
            response: {
              200: jsonDoc({ type: 'object' }, 'OpenAPI 3 document.'),
            },
          },
        },
      },
      (_request, reply) => reply.send(app.swagger()),
    );
    rejectOtherMethods(app, '/openapi.json', ['GET', 'HEAD']);
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rokvError } from '../errors.js';
import { bearerChecker } from './admin.js';
import type { ApiKeys } from './api-keys.js';
import { sendError } from './errors.js';

/** Probes answer load balancers and orchestrators, which carry no keys: always open. */
const PROBES = new Set(['/healthz', '/readyz']);
/** Operations routes, open unless `closeOps`. */
const OPS = /^\/(metrics|docs)(\/|$)/;
/** Admin routes check their own token. */
const ADMIN = /^\/admin(\/|$)/;

/** Which requests need an API key: everything but probes, admin routes and, unless closed, ops routes. */
export function needsApiKey(path: string, closeOps: boolean): boolean {
  if (PROBES.has(path) || ADMIN.test(path)) return false;
  return closeOps || !OPS.test(path);
}

/** The key in `Authorization: Bearer <key>`, or undefined when the header is absent or another scheme. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

/**
 * Requires an API key on data routes. Registered only when keys are configured, so a server without
 * keys pays nothing per request. Unknown paths need a key too, so routes cannot be probed anonymously.
 */
export function registerAuth(app: FastifyInstance, keys: ApiKeys, closeOps: boolean): void {
  app.addHook('onRequest', (request, reply, done) => {
    // The matched route's pattern, so no spelling of a path can reach a data route as an open one;
    // unmatched requests (404s) are judged by their raw path.
    const path = request.routeOptions.url ?? request.url.split('?', 1)[0]!;
    if (!needsApiKey(path, closeOps)) return done();
    const token = bearerToken(request);
    if (token !== undefined && keys.allows(token)) return done();
    void reply.header(
      'www-authenticate',
      token === undefined ? 'Bearer realm="rokv"' : 'Bearer realm="rokv", error="invalid_token"',
    );
    sendError(reply, rokvError(token === undefined ? 'AUTH_MISSING' : 'AUTH_INVALID'));
  });
}

/**
 * Who may see operational details (`/readyz` beyond its status: data root paths, refusal reasons,
 * store state). Everyone while API keys are off; with keys on, callers sending the admin token, and,
 * with `closeOps` (`--auth-ops`), callers sending an accepted API key.
 */
export function opsAuthorizer(
  keys: ApiKeys | undefined,
  closeOps: boolean,
  adminToken: string | undefined,
): (request: FastifyRequest) => boolean {
  if (keys === undefined) return () => true;
  const admin = adminToken === undefined ? undefined : bearerChecker(adminToken);
  return (request) => {
    const token = bearerToken(request);
    if (token === undefined) return false;
    if (admin?.(request.headers.authorization) === 'ok') return true;
    return closeOps && keys.allows(token);
  };
}

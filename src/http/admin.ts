import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { rokvError } from '../errors.js';
import { nodeTimeouts, type ConnectionLimits } from './connection-limits.js';
import { frameworkErrors, installErrorHandlers, rejectOtherMethods, sendError } from './errors.js';
import { installJsonBodyParser } from './json-body.js';

/** What an admin switch did. */
export interface AdminOutcome {
  version: string;
  previous: string;
}

/** The operations behind the admin routes; the server provides them, the HTTP layer only calls them. */
export interface AdminActions {
  activate(version: string): Promise<AdminOutcome>;
  rollback(): Promise<AdminOutcome>;
  status(): object;
}

/**
 * Returns a checker for `Authorization: Bearer <token>`. Both sides are hashed first so the
 * constant-time compare always sees equal lengths and the token's length does not leak either.
 */
export function bearerChecker(token: string): (header: string | undefined) => 'ok' | 'missing' | 'wrong' {
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (m === null) return 'missing';
    const given = createHash('sha256').update(m[1]!).digest();
    return timingSafeEqual(given, expected) ? 'ok' : 'wrong';
  };
}

/**
 * Registers `POST /admin/activate` `{"version": "<id>"}`, `POST /admin/rollback` and
 * `GET /admin/status`, all behind the admin bearer token. Only called when a token is configured:
 * without one the routes do not exist.
 */
export function registerAdmin(app: FastifyInstance, token: string, actions: AdminActions): void {
  const check = bearerChecker(token);
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const verdict = check(request.headers.authorization);
      if (verdict === 'ok') return;
      if (verdict === 'missing') {
        void reply.header('www-authenticate', 'Bearer realm="rokv-admin"');
        return sendError(reply, rokvError('ADMIN_UNAUTHORIZED'));
      }
      return sendError(reply, rokvError('ADMIN_FORBIDDEN'));
    });
    scope.post('/admin/activate', async (request) => {
      const body = request.body as { version?: unknown } | null;
      const version = typeof body === 'object' && body !== null ? body.version : undefined;
      if (typeof version !== 'string' || version === '') {
        throw rokvError('BAD_REQUEST', 'expected a JSON body {"version": "<id>"} naming the version to activate');
      }
      return actions.activate(version);
    });
    scope.post('/admin/rollback', async () => actions.rollback());
    scope.get('/admin/status', async () => actions.status());
    rejectOtherMethods(scope, '/admin/activate', ['POST']);
    rejectOtherMethods(scope, '/admin/rollback', ['POST']);
  });
}

/**
 * A Fastify app serving only the admin routes, for a separate admin port. Its connections are held
 * to the same timeouts and connection limit as the main port's: the admin port is no softer target.
 */
export function buildAdminApp(
  token: string,
  actions: AdminActions,
  logger: FastifyBaseLogger | false,
  limits: ConnectionLimits,
): FastifyInstance {
  const app = Fastify({
    http: nodeTimeouts(limits),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: 4096,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors,
  }) as unknown as FastifyInstance;
  installJsonBodyParser(app);
  installErrorHandlers(app);
  registerAdmin(app, token, actions);
  app.server.maxConnections = limits.maxConnections;
  return app;
}

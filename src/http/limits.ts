import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { rokvError } from '../errors.js';
import { sendError } from './errors.js';

/** Seconds a shed client is told to wait: long enough for a lag spike to pass, short enough to keep retries useful. */
export const SHED_RETRY_AFTER_S = 2;

/**
 * Load shedding: when the event loop lags past `maxLagMs`, new requests get 503 with Retry-After at
 * once instead of joining a queue that only grows. Registered only when asked for: the check is a
 * hook on every request.
 */
export function registerLoadShedding(app: FastifyInstance, maxLagMs: number): void {
  void app.register(underPressure, {
    maxEventLoopDelay: maxLagMs,
    // Sample often enough that a spike is seen within a fraction of the threshold.
    sampleInterval: Math.max(10, Math.min(1_000, Math.floor(maxLagMs / 2))),
    exposeStatusRoute: false,
    pressureHandler: (_request, reply) => {
      void reply.header('retry-after', String(SHED_RETRY_AFTER_S));
      sendError(reply, rokvError('UNAVAILABLE', `the server is overloaded; retry in ${SHED_RETRY_AFTER_S} s`));
    },
  });
}

/**
 * Per-client rate limiting (by remote address) with @fastify/rate-limit: `max` requests a minute,
 * then 429 with Retry-After. Off by default: behind a load balancer every client shares one address.
 */
export function registerRateLimit(app: FastifyInstance, max: number): void {
  // `global: true` would attach through onRoute, which misses routes declared before the plugin
  // loads; one root onRequest hook, added once it has loaded, covers every route and the 404s.
  void app.register(rateLimit, { global: false });
  void app.after(() => {
    app.addHook(
      'onRequest',
      app.rateLimit({
        max,
        timeWindow: 60_000,
        errorResponseBuilder: (_request, context) =>
          rokvError('RATE_LIMITED', max, Math.max(1, Math.ceil(context.ttl / 1000))),
      }),
    );
  });
}

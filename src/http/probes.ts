import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JSON_TYPE } from '../api/contract.js';
import { errorSchema, probeSchema } from '../api/schemas.js';
import { rokvError, type HttpError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { WarmUpStatus } from '../store/warm-up.js';
import { rejectOtherMethods, sendError } from './errors.js';
import { curlDoc, jsonDoc, type RouteDocs } from './openapi.js';

/** A valid key used to prove the store answers; whether it is present does not matter. */
const PROBE_KEY = new Uint8Array([0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0]);

/** Where the server is in its life: only `serving` takes traffic. */
export type Phase = 'starting' | 'serving' | 'stopping';

/** The server's phase, which the process around the app moves forward (see server/serve.ts). */
export class Readiness {
  phase: Phase = 'starting';
  /** The page-cache warm-up the server waits for before it says it is ready; undefined when none runs. */
  warmUp: { readonly status: WarmUpStatus; readonly fraction: number } | undefined;

  /** Marks the server as taking traffic (the store is open and the app listens). */
  serving(): void {
    if (this.phase === 'starting') this.phase = 'serving';
  }

  /** Marks the start of shutdown: from now on readiness fails, for good. */
  stopping(): void {
    this.phase = 'stopping';
  }
}

/** What a data root's reloader reports: the version served, swaps done, versions refused and why. */
export interface VersionReport {
  version: string;
  swaps: number;
  refusals: number;
  lastRefusal: { version: string; reason: string; at: string } | null;
}

/** Says why the server is not ready, or undefined when it is: serving and a probe lookup succeeded. */
export async function notReadyReason(readiness: Readiness, store: Store): Promise<HttpError | undefined> {
  if (readiness.phase === 'starting') return rokvError('NOT_READY', 'the server is starting');
  if (readiness.phase === 'stopping') return rokvError('NOT_READY', 'the server is shutting down');
  const warm = readiness.warmUp;
  if (warm !== undefined && !warm.status.finished) {
    const what = warm.status.mode === 'full' ? 'the data file' : "the index's branch pages";
    return rokvError('NOT_READY', `warming up: ${Math.floor(warm.fraction * 100)}% of ${what} read into memory`);
  }
  const health = store.health?.();
  if (health !== undefined && !health.ready) return rokvError('NOT_READY', 'the data store is not connected');
  try {
    await store.get(PROBE_KEY);
  } catch {
    return rokvError('NOT_READY', 'the data set cannot be read');
  }
  return undefined;
}

const healthzDocs: RouteDocs = {
  summary: 'Liveness: the process answers',
  description: curlDoc('curl -s localhost:8080/healthz'),
  response: { 200: jsonDoc(probeSchema, 'Alive.') },
};

const readyzDocs: RouteDocs = {
  summary: 'Readiness: the data set is open and answers lookups',
  description: curlDoc('curl -s localhost:8080/readyz'),
  response: { 200: jsonDoc(probeSchema, 'Ready.'), 503: jsonDoc(errorSchema, 'Starting or shutting down.') },
};

/**
 * Registers `GET /healthz` (the process answers) and `GET /readyz` (it should get traffic). Readiness
 * flips to 503 as soon as the app starts closing, before Fastify stops taking connections. Details
 * beyond the status go only to callers `maySeeDetails` accepts (see opsAuthorizer).
 */
export function registerProbes(
  app: FastifyInstance,
  store: Store,
  readiness: Readiness,
  versions: (() => VersionReport) | undefined,
  maySeeDetails: (request: FastifyRequest) => boolean,
): void {
  app.addHook('preClose', (done) => {
    readiness.stopping();
    done();
  });
  app.get('/healthz', { config: { docs: healthzDocs } }, (_request, reply) =>
    reply.type(JSON_TYPE).send('{"status":"ok"}'),
  );
  app.get('/readyz', { config: { docs: readyzDocs } }, async (request, reply) => {
    const reason = await notReadyReason(readiness, store);
    if (reason !== undefined) return sendError(reply, reason);
    if (!maySeeDetails(request)) return reply.type(JSON_TYPE).send('{"status":"ready"}');
    // Details tell an operator what serves and what was refused (a bad version keeps the old one serving).
    const details = {
      status: 'ready',
      ...(versions ? { versions: versions() } : {}),
      ...(store.health ? { store: store.health() } : {}),
      ...(readiness.warmUp ? { warmUp: readiness.warmUp.status } : {}),
    };
    return reply.type(JSON_TYPE).send(JSON.stringify(details));
  });
  rejectOtherMethods(app, '/healthz', ['GET', 'HEAD']);
  rejectOtherMethods(app, '/readyz', ['GET', 'HEAD']);
}

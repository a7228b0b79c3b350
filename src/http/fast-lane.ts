import { performance } from 'node:perf_hooks';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { answerHeaders, DATA_METHOD, GET_VALUE, GET_VALUES, REQUEST_TYPE, type Answer } from '../api/contract.js';
import type { DataRoute } from '../api/get-value.js';
import type { DataRoutes } from '../api/routes.js';
import type { Store } from '../store/store.js';
import { stampDataset } from './dataset.js';
import type { Metrics, RouteStats } from './metrics.js';

/** A route the lane answers: its core and its counters. */
interface LaneRoute {
  core: DataRoute;
  stats: RouteStats;
}

/**
 * `POST /get_value` and `POST /get_values` answered on node:http before Fastify routes the request,
 * by the same answer cores (src/api) as the Fastify routes. Why: Fastify's routing, hooks, reply
 * objects and body handling took a large share of the server's time on these routes, which need
 * none of it (measured in docs/performance.md, "The fast lane"). The lane only checks the head, collects the body, and writes the core's
 * answer; metrics count it as the Fastify routes' hook does. The app uses it only when no hook
 * could change an answer (see request-hooks.ts), and it steps aside once the app is closing so
 * Fastify answers and closes the connection. It takes a request only when its method, exact path,
 * content type and length are known from the head; everything else (query strings, other content
 * types, chunked or too-large bodies) goes to Fastify.
 */
export class FastLane {
  private open = true;
  private readonly single: LaneRoute;
  private readonly batch: LaneRoute;

  constructor(
    routes: DataRoutes,
    private readonly metrics: Metrics,
  ) {
    this.single = { core: routes.getValue, stats: metrics.routeStats(GET_VALUE, DATA_METHOD) };
    this.batch = { core: routes.getValues, stats: metrics.routeStats(GET_VALUES, DATA_METHOD) };
  }

  /** From now on every request goes to Fastify (called when the app starts closing). */
  stop(): void {
    this.open = false;
  }

  /** Answers `request` and returns true, or returns false and leaves it untouched for Fastify. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.open || request.method !== DATA_METHOD) return false;
    const url = request.url;
    const route = url === GET_VALUE ? this.single : url === GET_VALUES ? this.batch : undefined;
    if (route === undefined) return false;
    const length = jsonBodyLength(request.rawHeaders);
    if (!(length > 0 && length <= route.core.bodyLimit)) return false;
    const started = performance.now();
    let body: Buffer | undefined;
    let more: Buffer[] | undefined;
    request.on('data', (chunk: Buffer) => {
      if (body === undefined) body = chunk;
      else (more ??= [body]).push(chunk);
    });
    // No 'error' listener: node:http emits a request's abort error only to listeners, and a client
    // that went away mid-body leaves nothing to answer.
    request.on('end', () => {
      const answer = route.core.answer(more === undefined ? body! : Buffer.concat(more));
      if (answer instanceof Promise) void answer.then((settled) => this.send(response, route, settled, started));
      else this.send(response, route, answer, started);
    });
    return true;
  }

  private send(response: ServerResponse, route: LaneRoute, answer: Answer, started: number): void {
    response.writeHead(answer.status, answerHeaders(answer));
    response.end(wireBody(answer.body), 'latin1');
    this.metrics.recordAnswer(route.stats, answer.status, (performance.now() - started) / 1000, answer.outcome);
  }
}

/**
 * The answer's bytes as node:http sends them fastest: a latin1 string, one character per byte,
 * which node:http joins to the head in one chunk (a Buffer would be a chunk of its own) and, sent
 * as latin1, writes back byte for byte. Never a UTF-8 decoding: a stored value that is not valid
 * UTF-8 would change length in the decoding and no longer match the Content-Length of its bytes.
 */
function wireBody(body: Uint8Array): string {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return bytes.toString('latin1');
}

/**
 * The Content-Length of a request whose only content type is exactly `application/json` and that is
 * not chunked, or -1. Reads the raw header list: `request.headers` is built lazily on first use, an
 * object per request that Fastify needs and this lane does not.
 */
function jsonBodyLength(raw: readonly string[]): number {
  let type: string | undefined;
  let length = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    switch (name.length) {
      case 12:
        if (name.toLowerCase() !== 'content-type') break;
        if (type !== undefined) return -1;
        type = raw[i + 1];
        break;
      case 14:
        // llhttp has already refused conflicting lengths.
        if (name.toLowerCase() === 'content-length') length = Number(raw[i + 1]);
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return -1;
        break;
      default:
        break;
    }
  }
  return type === REQUEST_TYPE ? length : -1;
}

/** The server options Fastify would apply itself to a server it created. */
export interface LaneServerOptions {
  http: ServerOptions;
  keepAliveTimeout: number;
  requestTimeout: number;
}

/** The servers that offer requests to a fast lane first: node:http's below, and the Bun front. */
const laneServers = new WeakSet<object>();

/** Records that `server` answers the data routes through their cores before Fastify sees them. */
export function markLaneServer(server: object): void {
  laneServers.add(server);
}

/** Whether `server` offers requests to a fast lane before Fastify. */
export function servesFastLane(server: object): boolean {
  return laneServers.has(server);
}

/**
 * A node:http server that offers every request to `lane` first and hands the rest to Fastify's
 * handler, stamped with the data set's id as `stampDatasetHeader` does for Fastify's own server.
 */
export function createLaneServer(
  lane: FastLane,
  store: Store,
  fastify: (request: IncomingMessage, response: ServerResponse) => void,
  options: LaneServerOptions,
): Server {
  const server = createServer(options.http, (request, response) => {
    if (lane.handle(request, response)) return;
    stampDataset(response, store);
    fastify(request, response);
  });
  // Fastify sets these only on servers it creates, not on one from a serverFactory.
  server.keepAliveTimeout = options.keepAliveTimeout;
  server.requestTimeout = options.requestTimeout;
  markLaneServer(server);
  return server;
}

import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import inject from 'light-my-request';
import {
  datasetAnswerHeaders,
  DATA_METHOD,
  GET_VALUE,
  GET_VALUES,
  REQUEST_TYPE,
  type DataRoute,
  type DataRoutes,
} from '../api/index.js';
import { bun, type BunRequest, type BunServer } from './bun-runtime.js';
import { markLaneServer } from './fast-lane.js';
import type { Metrics, RouteStats } from './metrics.js';

/** A route the front answers: its core and its counters. */
interface FrontRoute {
  core: DataRoute;
  stats: RouteStats;
}

/** What the front needs: the answer cores, the metrics, Fastify's handler for the rest, and timeouts. */
export interface BunFrontOptions {
  routes: DataRoutes;
  metrics: Metrics;
  /** Fastify's request handler, reached in process through light-my-request (see `bridge`). */
  fastify: (request: IncomingMessage, response: ServerResponse) => void;
  /** Stamps the data set header on a response bound for Fastify, as the node:http servers do. */
  stamp: (response: ServerResponse) => void;
  /** Seconds a connection may stay silent (Bun.serve has one idle timer for all of node:http's timeouts). */
  idleTimeoutSeconds: number;
  /** Share the port with the other workers (SO_REUSEPORT): Bun's cluster does not share listening sockets. */
  reusePort: boolean;
}

// node:http's connection headers: Bun.serve writes its own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);
// Statuses whose answers have no body, which a Response refuses to carry.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The HTTP server of an app running on Bun, handed to Fastify through its `serverFactory` in place
 * of a node:http server: Bun.serve answers `POST /get_value` and `POST /get_values` through the same
 * answer cores (src/api) as the node:http fast lane and the Fastify routes, counted in the same
 * metrics, and passes every other request to Fastify's handler in process. Why: Bun's node:http
 * compatibility layer is slower than Bun.serve (rokv ran no faster on Bun than on Node), while
 * Bun.serve's naive lookup outran bare node:http (docs/performance.md#rokv-on-bun).
 * It implements what Fastify and rokv call on a node:http server: listen, address, close and the
 * connection closers, with the `listening`, `error` and `close` events.
 */
export class BunFront extends EventEmitter {
  listening = false;
  /** Set by the app like node:http's; Bun.serve has no cap on connections (docs/performance.md says so). */
  maxConnections: number | undefined;
  private server: BunServer | undefined;
  private open = true;
  private readonly routes: ReadonlyMap<string, FrontRoute>;
  private readonly dispatch: (request: IncomingMessage, response: ServerResponse) => void;
  private readonly headers = new AnswerHeaders();

  constructor(private readonly options: BunFrontOptions) {
    super();
    const { routes, metrics } = options;
    this.routes = new Map([
      [GET_VALUE, { core: routes.getValue, stats: metrics.routeStats(GET_VALUE, DATA_METHOD) }],
      [GET_VALUES, { core: routes.getValues, stats: metrics.routeStats(GET_VALUES, DATA_METHOD) }],
    ]);
    markLaneServer(this);
    this.dispatch = (request, response) => {
      options.stamp(response);
      options.fastify(request, response);
    };
  }

  /** Starts Bun.serve on `port` and `host`, then emits `listening` (or `error`, as node:http does). */
  listen(options: { port?: number; host?: string }): this {
    const runtime = bun();
    if (runtime === undefined) throw new Error('the Bun front runs on Bun only');
    try {
      this.server = runtime.serve({
        port: options.port ?? 0,
        hostname: options.host ?? '0.0.0.0',
        reusePort: this.options.reusePort,
        idleTimeout: this.options.idleTimeoutSeconds,
        // No cap of Bun's own (its 413 has an empty body): Fastify refuses a body past a route's
        // limit by its declared length, or stops reading a chunked one at the limit, with the catalog's 413.
        maxRequestBodySize: Number.MAX_SAFE_INTEGER,
        development: false,
        // The data routes in Bun's native router, which spares building `request.url` and matching it
        // in JS (instructions a request measured in docs/performance.md#rokv-on-bun).
        routes: Object.fromEntries(
          [...this.routes].map(([path, route]) => [
            path,
            { [DATA_METHOD]: (request: Request, server: BunServer) => this.take(route, request, server) },
          ]),
        ),
        fetch: (request, server) => this.bridge(request, server),
        // Only reached if the front itself throws: the body says nothing internal.
        error: () => new Response(null, { status: 500 }),
      });
    } catch (err) {
      process.nextTick(() => this.emit('error', err));
      return this;
    }
    this.listening = true;
    process.nextTick(() => this.emit('listening'));
    return this;
  }

  /** The address as node:http reports it. */
  address(): AddressInfo | null {
    const server = this.server;
    if (server === undefined || !this.listening) return null;
    const family = server.hostname.includes(':') ? 'IPv6' : 'IPv4';
    return { address: server.hostname, family, port: server.port };
  }

  /**
   * Stops accepting connections; requests in flight finish, answered by Fastify (which adds
   * `Connection: close`), and `callback` runs once every connection is gone.
   */
  close(callback?: (err?: Error) => void): this {
    this.open = false;
    const server = this.server;
    if (server === undefined || !this.listening) {
      if (callback) process.nextTick(callback);
      return this;
    }
    this.listening = false;
    server.stop(false).then(
      () => {
        this.emit('close');
        callback?.();
      },
      (err: Error) => callback?.(err),
    );
    return this;
  }

  /** Bun.serve closes idle keep-alive connections itself once stopped. */
  closeIdleConnections(): void {}

  /** Ends every connection now, in flight or not (the shutdown timeout ran out). */
  closeAllConnections(): void {
    void this.server?.stop(true);
  }

  ref(): this {
    this.server?.ref();
    return this;
  }

  unref(): this {
    this.server?.unref();
    return this;
  }

  /**
   * A data route's request, matched by Bun's router (path and method, the query ignored, as Fastify
   * routes it): the answer core takes the same requests as the node:http lane (exactly one JSON
   * content type, a known length within the route's limit, not chunked); Fastify answers the rest.
   */
  private take(route: FrontRoute, request: Request, server: BunServer): Response | Promise<Response> {
    const headers = request.headers;
    const length = Number(headers.get('content-length') ?? -1);
    if (
      this.open &&
      length > 0 &&
      length <= route.core.bodyLimit &&
      headers.get('content-type') === REQUEST_TYPE &&
      !headers.has('transfer-encoding')
    )
      return this.answer(route, request);
    return this.bridge(request, server);
  }

  private async answer(route: FrontRoute, request: Request): Promise<Response> {
    const started = performance.now();
    const body = await (request as BunRequest).bytes();
    const pending = route.core.answer(body);
    const answer = pending instanceof Promise ? await pending : pending;
    const headers = this.headers.of(answer.dataset, asksClose(request));
    const response = new Response(answer.body, { status: answer.status, headers });
    this.options.metrics.recordAnswer(route.stats, answer.status, (performance.now() - started) / 1000, answer.outcome);
    return response;
  }

  /**
   * Every request the front does not answer goes to Fastify's own handler in process through
   * light-my-request, the library behind Fastify's `inject`: the same hooks, routes and replies as
   * on node:http, with no socket or second HTTP parse in between. Measured against a proxy to
   * Fastify on a unix socket in docs/performance.md.
   */
  private async bridge(request: Request, server: BunServer): Promise<Response> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    // Bun joins a repeated header's values with commas; node:http keeps the first Content-Type.
    const type = headers['content-type'];
    if (type !== undefined && type.includes(',')) headers['content-type'] = type.slice(0, type.indexOf(','));
    const res = await inject(this.dispatch, {
      method: request.method as 'GET',
      url: pathOf(request.url),
      headers,
      remoteAddress: server.requestIP(request)?.address ?? '127.0.0.1',
      ...(request.body === null
        ? {}
        : { payload: Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>) }),
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined || (HOP_BY_HOP.has(name) && !(name === 'connection' && value === 'close'))) continue;
      if (Array.isArray(value)) for (const item of value) out.append(name, item);
      else out.set(name, String(value));
    }
    if (asksClose(request)) out.set('connection', 'close');
    const empty = NULL_BODY.has(res.statusCode) || request.method === 'HEAD';
    return new Response(empty ? null : res.rawPayload, { status: res.statusCode, headers: out });
  }
}

/**
 * The headers of the front's answers, made once per data set and reused: a Response copies the
 * `Headers` it is given, and copying one is cheaper than making one from an object per answer
 * (docs/performance.md#rokv-on-bun). Bun.serve frames the Content-Length from the body.
 */
class AnswerHeaders {
  private dataset = '';
  private keepAlive = new Headers();
  private close = new Headers();

  /** The headers of an answer from `dataset`, with `Connection: close` when `close`. */
  of(dataset: string, close: boolean): Headers {
    if (dataset !== this.dataset) {
      const pairs = datasetAnswerHeaders(dataset);
      const init: [string, string][] = [];
      for (let i = 0; i < pairs.length; i += 2) init.push([pairs[i]!, pairs[i + 1]!]);
      this.keepAlive = new Headers(init);
      this.close = new Headers([...init, ['connection', 'close']]);
      this.dataset = dataset;
    }
    return close ? this.close : this.keepAlive;
  }
}

/**
 * Whether the client asked to close the connection after this answer: node:http then says
 * `Connection: close` in its answer, and so does the front (Bun.serve closes it either way).
 */
function asksClose(request: Request): boolean {
  const connection = request.headers.get('connection');
  return connection !== null && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection);
}

/** The request target's path and query from Bun's absolute `request.url` (`http://host:port/path?query`). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start < 0 ? '/' : url.slice(start);
}

import { performance } from 'node:perf_hooks';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { rokvError, RokvError } from '../errors.js';
import type { Store } from '../store/store.js';
import { parseUuidBytes, UUID_BYTES, UUID_LENGTH } from '../uuid.js';
import { DATASET_HEADER, stampDataset } from './dataset.js';
import { errorBody } from './errors.js';
import { lookupBody, lookupKeyBytes, type KeyLookup } from './get-value.js';
import { answerBatch, packBatch, type BatchLimits, type BatchValidator, type PackedBatch } from './get-values.js';
import { KEY_ELEMENT_BYTES, parseJsonBody, scanKeysBody } from './json-body.js';
import type { Metrics, RouteStats } from './metrics.js';

const JSON_TYPE = 'application/json; charset=utf-8';
// `{"value":` and `}` around the stored literal.
const VALUE_FRAME_BYTES = '{"value":}'.length;
const QUOTE = 34;
const CLOSE_BRACE = 125;
const SPACE = 32;
// `{"key":"` and `{"key": "`: the two ways clients write the one-key body.
const PREFIX = Buffer.from('{"key":');

/** What the fast lane needs from the app: where to count and log, and the routes' limits. */
export interface FastLaneOptions {
  bodyLimit: number;
  batch: BatchLimits & { validate: BatchValidator };
  metrics: Metrics;
  /** Logs a failure of the store that answers 5xx (the client gets the catalog's body only). */
  logError: (err: unknown) => void;
}

/** A 200 answer: its body, and the body's length in bytes. */
class Found {
  constructor(
    readonly body: string | Buffer,
    readonly bytes: number,
  ) {}
}

type Answer = Found | RokvError;

/** A route the lane answers: its counters, and whether its answers count as one-key lookups. */
interface LaneRoute {
  stats: RouteStats;
  single: boolean;
}

/**
 * `POST /get_value` and `POST /get_values` answered on node:http before Fastify routes the request.
 * Why: on the single-key benchmark Fastify's routing, hooks and reply objects took about a third of
 * the server's time (rokv at 0.70x bare node:http in `../shared/bench/compare.sh`), and with 100-key
 * batches Fastify, Ajv and JSON.parse took about a tenth, for routes that need none of it.
 * The answers are the Fastify routes' to the byte (the same lookup, validation and error functions,
 * tested side by side), metrics count them the same way, and the lane is used only when no hook
 * could change them: the app turns it off under API keys, rate limits, load shedding, CORS and TLS,
 * and it steps aside once the app is closing so Fastify answers and closes the connection.
 * It takes a request only when its method, exact path, content type and length are known from the
 * head; everything else (query strings, other content types, chunked or too-large bodies) goes to Fastify.
 */
export class FastLane {
  private open = true;
  private readonly keyBytes = new Uint8Array(UUID_BYTES);
  private readonly single: LaneRoute;
  private readonly batch: LaneRoute;

  constructor(
    private readonly store: Store,
    private readonly options: FastLaneOptions,
  ) {
    this.single = { stats: options.metrics.routeStats('/get_value', 'POST'), single: true };
    this.batch = { stats: options.metrics.routeStats('/get_values', 'POST'), single: false };
  }

  /** From now on every request goes to Fastify (called when the app starts closing). */
  stop(): void {
    this.open = false;
  }

  /** Answers `request` and returns true, or returns false and leaves it untouched for Fastify. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.open || request.method !== 'POST') return false;
    const batch = request.url === '/get_values';
    if (!batch && request.url !== '/get_value') return false;
    const length = jsonBodyLength(request.rawHeaders);
    const limit = batch ? this.options.batch.bodyLimit : this.options.bodyLimit;
    if (!(length > 0 && length <= limit)) return false;
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
      const whole = more === undefined ? body! : Buffer.concat(more);
      const route = batch ? this.batch : this.single;
      let answer: Answer | Promise<Answer>;
      try {
        answer = batch ? this.answerBatch(whole) : this.answerSingle(whole);
      } catch (err) {
        // An engine that throws gets the 500 Fastify's error handler would give.
        answer = this.failure(err);
      }
      if (answer instanceof Promise) {
        answer.then(
          (settled) => this.send(response, route, settled, started),
          (err: unknown) => this.send(response, route, this.failure(err), started),
        );
      } else {
        this.send(response, route, answer, started);
      }
    });
    return true;
  }

  /** The canonical body's key is read from its bytes; any other body takes the Fastify route's path. */
  private answerSingle(body: Buffer): Answer | Promise<Answer> {
    const at = canonicalKeyAt(body);
    let result: KeyLookup | Promise<KeyLookup>;
    if (at > 0 && parseUuidBytes(body, at, this.keyBytes) !== undefined) {
      result = lookupKeyBytes(this.store, this.keyBytes);
    } else {
      let parsed: unknown;
      try {
        parsed = parseJsonBody(body.toString('utf8'));
      } catch (err) {
        return err as RokvError;
      }
      result = lookupBody(this.store, parsed, this.keyBytes);
    }
    return result instanceof Promise ? result.then(valueAnswer) : valueAnswer(result);
  }

  /**
   * The usual batch body's keys are read from its bytes; any other body is parsed and validated as
   * the Fastify route does, with the same functions.
   */
  private answerBatch(body: Buffer): Answer | Promise<Answer> {
    const { maxKeys, validate } = this.options.batch;
    // Room for every key the body can hold, up to the limit: a body with more keys than the limit
    // fails the scan and goes the schema's way to its 413.
    const keys = new Uint8Array(Math.min(maxKeys, Math.floor(body.length / KEY_ELEMENT_BYTES)) * UUID_BYTES);
    const count = scanKeysBody(body, keys);
    let batch: PackedBatch;
    if (count > 0) {
      batch = { count, keys, asked: count };
    } else {
      let elements: readonly unknown[] | RokvError;
      try {
        elements = validate(parseJsonBody(body.toString('utf8')));
      } catch (err) {
        return err as RokvError;
      }
      if (elements instanceof RokvError) return elements;
      batch = packBatch(elements);
    }
    const answer = answerBatch(this.store, batch, this.options.metrics);
    return answer instanceof Promise ? answer.then(batchFound) : batchFound(answer);
  }

  /** What a failed lookup answers, logged as the app's error handler logs a 5xx. */
  private failure(err: unknown): RokvError {
    const answer = err instanceof RokvError ? err : rokvError('INTERNAL');
    if (answer.statusCode >= 500) this.options.logError(err);
    return answer;
  }

  private send(response: ServerResponse, route: LaneRoute, answer: Answer, started: number): void {
    let status: number;
    let body: string | Buffer;
    let bytes: number;
    if (answer instanceof RokvError) {
      status = answer.statusCode;
      body = JSON.stringify(errorBody(answer));
      bytes = Buffer.byteLength(body);
    } else {
      status = 200;
      ({ body, bytes } = answer);
    }
    response.writeHead(status, [
      DATASET_HEADER,
      this.store.info().id,
      'content-type',
      JSON_TYPE,
      'content-length',
      String(bytes),
    ]);
    response.end(body);
    route.stats.record(status, (performance.now() - started) / 1000);
    if (route.single) this.options.metrics.countSingle(status);
  }
}

/**
 * The answer to a one-key lookup. A string body joins the head in one chunk; a Buffer would be a
 * chunk of its own. The literal is valid UTF-8 (written by rokv from a JS string), so the round trip
 * through a string is exact and the answer's byte length is the literal's plus the frame's.
 */
function valueAnswer(result: KeyLookup): Answer {
  if (result instanceof RokvError) return result;
  const literal = Buffer.isBuffer(result) ? result : Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  return new Found(`{"value":${literal.toString('utf8')}}`, result.length + VALUE_FRAME_BYTES);
}

function batchFound(body: Buffer): Answer {
  return new Found(body, body.length);
}

/**
 * The Content-Length of a request whose only content type is exactly `application/json` and that is
 * not chunked, or -1. Reads the raw header list: `request.headers` is built lazily on first use, an
 * object per request that Fastify needs and this lane does not (1.1% of CPU in the profile).
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
  return type === 'application/json' ? length : -1;
}

/**
 * Where the key starts in `{"key":"<36>"}` or `{"key": "<36>"}` (8 or 9), or -1 for any other body.
 * Only the frame is checked here: the 36 characters must then parse as a UUID, which rules out
 * quotes, escapes and anything else that would make JSON.parse read them differently.
 */
function canonicalKeyAt(body: Buffer): number {
  const n = body.length;
  let at: number;
  if (n === PREFIX.length + 1 + UUID_LENGTH + 2 && body[PREFIX.length] === QUOTE) at = PREFIX.length + 1;
  else if (
    n === PREFIX.length + 2 + UUID_LENGTH + 2 &&
    body[PREFIX.length] === SPACE &&
    body[PREFIX.length + 1] === QUOTE
  )
    at = PREFIX.length + 2;
  else return -1;
  if (body[n - 2] !== QUOTE || body[n - 1] !== CLOSE_BRACE) return -1;
  for (let i = 0; i < PREFIX.length; i++) if (body[i] !== PREFIX[i]) return -1;
  return at;
}

/** The server options Fastify would apply itself to a server it created. */
export interface LaneServerOptions {
  http: ServerOptions;
  keepAliveTimeout: number;
  requestTimeout: number;
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
  return server;
}

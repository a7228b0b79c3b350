import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { isConnectionFailure, RokvClientError } from './errors.js';
import { isRecord, parseJsonOrUndefined } from '../json.js';

/** How a RokvClient connects and how patient it is. */
export interface RokvClientOptions {
  /** Base URL of the server, e.g. `http://localhost:8080` (a path prefix is kept). */
  url: string;
  /** Time allowed for one call, retries included, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Retries after a broken connection or a 503 (default 2); other failures are never retried. */
  retries?: number;
  /** First backoff delay in milliseconds, doubled on each retry, with jitter (default 50). */
  retryDelayMs?: number;
  /** Keep-alive connections kept open to the server (default 8). */
  connections?: number;
  /** Keys per `/get_values` request: the server's batch limit (default 1000). */
  batchSize?: number;
}

/** Options of one call. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Cancels the call; it then rejects with code `ABORTED`. */
  signal?: AbortSignal;
}

/** The answer for one key: found with its value, not in the data set, or not a valid key. */
export type GetResult =
  | { kind: 'found'; key: string; value: string }
  | { kind: 'not_found'; key: string; message: string; code: string }
  | { kind: 'invalid'; key: string; message: string; code: string };

/** What the server says about the data set it serves (`GET /dataset`). */
export interface DatasetInfo {
  /** Identity of the data, derived from its content: the same pairs give the same id. */
  id: string;
  /** Number of pairs. */
  count: number;
  /** When the snapshot was built (ISO 8601). */
  createdAt: string;
  /** Name of the input the snapshot was built from. */
  source: string;
  /** Version of the snapshot format. */
  formatVersion: number;
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * A typed client for a rokv server: keep-alive connection pool (undici), batching, per-call timeout
 * and cancellation, and retries with backoff for the failures where a retry is safe.
 */
export class RokvClient {
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly batchSize: number;

  /** Creates a client; no connection is opened before the first call. */
  constructor(options: RokvClientOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`url must be http: or https:, received ${JSON.stringify(options.url)}`);
    }
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5000);
    this.retries = nonNegative('retries', options.retries ?? 2);
    this.retryDelayMs = nonNegative('retryDelayMs', options.retryDelayMs ?? 50);
    this.batchSize = positive('batchSize', options.batchSize ?? 1000);
    this.pool = new Pool(url.origin, { connections: positive('connections', options.connections ?? 8) });
  }

  /** Looks one key up with `POST /get_value`. Rejects with a RokvClientError when no per-key answer came. */
  async get(key: string, options: CallOptions = {}): Promise<GetResult> {
    const { status, body } = await this.call('POST', '/get_value', JSON.stringify({ key }), options);
    if (status === 200 && isRecord(body) && typeof body.value === 'string')
      return { kind: 'found', key, value: body.value };
    const result = keyError(key, body);
    if (result !== undefined && (status === 404 || status === 400)) return result;
    throw answerError(status, body);
  }

  /**
   * Looks many keys up with `POST /get_values`, split into batches of `batchSize` sent in parallel;
   * results come back in the order of `keys` (repeats included).
   */
  async getMany(keys: readonly string[], options: CallOptions = {}): Promise<GetResult[]> {
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += this.batchSize) batches.push(keys.slice(i, i + this.batchSize));
    const answers = await Promise.all(batches.map((batch) => this.getBatch(batch, options)));
    return answers.flat();
  }

  /** Reads the public fields of the served data set's manifest (`GET /dataset`). */
  async dataset(options: CallOptions = {}): Promise<DatasetInfo> {
    const { status, body } = await this.call('GET', '/dataset', undefined, options);
    if (status !== 200) throw answerError(status, body);
    if (!isRecord(body) || typeof body.id !== 'string' || typeof body.count !== 'number') {
      throw new RokvClientError('BAD_RESPONSE', 'GET /dataset answered 200 without an id and a count', status);
    }
    return {
      id: body.id,
      count: body.count,
      createdAt: typeof body.createdAt === 'string' ? body.createdAt : '',
      source: typeof body.source === 'string' ? body.source : '',
      formatVersion: Number(body.formatVersion),
    };
  }

  /** Closes the connections once the calls in flight have finished. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private async getBatch(keys: string[], options: CallOptions): Promise<GetResult[]> {
    const { status, body } = await this.call('POST', '/get_values', JSON.stringify({ keys }), options);
    if (status !== 200) throw answerError(status, body);
    const results = isRecord(body) ? body.results : undefined;
    if (!Array.isArray(results) || results.length !== keys.length) {
      throw new RokvClientError(
        'BAD_RESPONSE',
        `POST /get_values did not answer one result per key (${keys.length})`,
        status,
      );
    }
    return results.map((element: unknown, i) => {
      const key = keys[i]!;
      if (isRecord(element) && typeof element.value === 'string') return { kind: 'found', key, value: element.value };
      const result = keyError(key, element);
      if (result === undefined)
        throw new RokvClientError('BAD_RESPONSE', `result ${i} of POST /get_values is malformed`, status);
      return result;
    });
  }

  /** Sends one request, retrying broken connections and 503s with backoff, within the call's time. */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    options: CallOptions,
  ): Promise<Answer> {
    const timeout = AbortSignal.timeout(positive('timeoutMs', options.timeoutMs ?? this.timeoutMs));
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    const cancelled = (cause: unknown) =>
      timeout.aborted
        ? new RokvClientError('TIMEOUT', `${method} ${path} got no answer within the timeout`, undefined, { cause })
        : new RokvClientError('ABORTED', `${method} ${path} was aborted`, undefined, { cause });
    for (let attempt = 0; ; attempt++) {
      let retryable: unknown;
      try {
        const res = await this.pool.request({
          method,
          path: this.prefix + path,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body,
          signal,
        });
        const text = await res.body.text();
        if (res.statusCode !== 503 || attempt >= this.retries)
          return { status: res.statusCode, body: parseJsonOrUndefined(text) };
        retryable = new RokvClientError('UNAVAILABLE', 'the server answered 503', 503);
      } catch (err) {
        if (signal.aborted) throw cancelled(err);
        if (!isConnectionFailure(err) || attempt >= this.retries) {
          throw new RokvClientError('CONNECTION', `${method} ${path} failed: ${(err as Error).message}`, undefined, {
            cause: err,
          });
        }
        retryable = err;
      }
      // Full jitter: retries from many clients spread out instead of arriving together.
      const wait = Math.random() * this.retryDelayMs * 2 ** attempt;
      try {
        await delay(wait, undefined, { signal });
      } catch {
        throw cancelled(retryable);
      }
    }
  }
}

/** The per-key error answer for `key` (not found or invalid), or undefined when `body` is not one. */
function keyError(key: string, body: unknown): GetResult | undefined {
  if (!isRecord(body) || typeof body.message !== 'string') return undefined;
  const code = typeof body.code === 'string' ? body.code : '';
  if (code === 'KEY_NOT_FOUND') return { kind: 'not_found', key, message: body.message, code };
  if (code === 'KEY_INVALID') return { kind: 'invalid', key, message: body.message, code };
  return undefined;
}

/** The error for an answer that is not a per-key result: carries the server's message and code. */
function answerError(status: number, body: unknown): RokvClientError {
  if (isRecord(body) && typeof body.message === 'string') {
    return new RokvClientError(typeof body.code === 'string' ? body.code : `HTTP_${status}`, body.message, status);
  }
  return new RokvClientError('BAD_RESPONSE', `the server answered ${status} without an error body`, status);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number, received ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be zero or more, received ${value}`);
  return value;
}

/**
 * The wire contract of the data routes in one place: paths, methods, the request and answer
 * content types, the data set header, and the answer every runtime's adapter writes. The adapters
 * (Fastify's routes and the fast lane in src/http, a Bun.serve front) take these from here.
 */
import type { HttpError } from '../errors.js';

/** `POST /get_value`: one key, the original contract. */
export const GET_VALUE = '/get_value';
/** `POST /get_values`: many keys in one round trip. */
export const GET_VALUES = '/get_values';
/** `GET /values/{key}`: one key in the path, cacheable. */
export const VALUES = '/values/:key';

/** The paths answered by a body core: `POST` with a JSON body. */
export type DataPath = typeof GET_VALUE | typeof GET_VALUES;

/** The one method of the data routes. */
export const DATA_METHOD = 'POST';

/** The content type a data route's body must have: exactly this, no parameters, to be read by a core. */
export const REQUEST_TYPE = 'application/json';

/** The content type of every JSON answer. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** The response header that names the data set an answer came from. */
export const DATASET_HEADER = 'rokv-dataset';

/**
 * What a request did to lookups, for metrics: keys found, missing and invalid, and the key count
 * when it was a batch (0 for a one-key route). Answers that looked nothing up count nothing.
 */
export interface Outcome {
  readonly found: number;
  readonly missing: number;
  readonly invalid: number;
  readonly batchKeys: number;
}

/** The outcomes of a one-key lookup, shared so that an answer allocates none. */
export const OUTCOME = {
  found: { found: 1, missing: 0, invalid: 0, batchKeys: 0 },
  missing: { found: 0, missing: 1, invalid: 0, batchKeys: 0 },
  invalid: { found: 0, missing: 0, invalid: 1, batchKeys: 0 },
  none: { found: 0, missing: 0, invalid: 0, batchKeys: 0 },
} as const satisfies Record<string, Outcome>;

/**
 * A data route's answer, runtime-neutral: the status, the exact bytes of the body (its length is
 * the Content-Length), the id of the data set that answered (read after the lookup, so a version
 * swapped in meanwhile is named rightly), and the outcome for metrics. `error` is the catalog
 * error when the answer is one.
 */
export interface Answer {
  readonly status: number;
  readonly body: Uint8Array;
  readonly dataset: string;
  readonly outcome: Outcome;
  readonly error?: HttpError;
}

/**
 * The headers of `answer` as name, value, name, value...: the form node:http's `writeHead` takes
 * fastest. Every answer of a core carries these three and no other.
 */
export function answerHeaders(answer: Answer): string[] {
  const headers = datasetAnswerHeaders(answer.dataset);
  headers.push('content-length', String(answer.body.length));
  return headers;
}

/**
 * The headers of every answer from data set `dataset` but its length, as name, value pairs: the part
 * a Bun front makes once per data set, leaving the length to Bun.serve, which frames it from the body.
 */
export function datasetAnswerHeaders(dataset: string): string[] {
  return [DATASET_HEADER, dataset, 'content-type', JSON_TYPE];
}

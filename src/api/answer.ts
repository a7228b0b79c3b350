import { copyBytes } from '../bytes.js';
import { HttpError, rokvError, type ErrorCode } from '../errors.js';
import { OUTCOME, type Answer, type Outcome } from './contract.js';

/** `{"value":` and `}`: the frame of a found value around its stored JSON string literal. */
export const VALUE_OPEN = Buffer.from('{"value":');
export const VALUE_CLOSE = Buffer.from('}');
const CLOSE_BRACE = VALUE_CLOSE[0]!;
/** The bytes the frame adds to a literal. */
export const VALUE_FRAME_BYTES = VALUE_OPEN.length + VALUE_CLOSE.length;

/** The body of every error answer: a human message and the catalog's stable code. */
export interface ErrorBody {
  message: string;
  code: ErrorCode;
}

/** The body every answer with `err` carries, wherever it is serialized. */
export function errorBody(err: HttpError): ErrorBody {
  return { message: err.message, code: err.code };
}

/** The exact bytes of the error body for `err`. */
export function errorJson(err: HttpError): Buffer {
  return Buffer.from(JSON.stringify(errorBody(err)));
}

/** The one framing of a found value: `{"value":<literal>}`, the literal's bytes as stored. */
export function valueBody(literal: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(literal.length + VALUE_FRAME_BYTES);
  const at = copyBytes(out, 0, VALUE_OPEN, 0, VALUE_OPEN.length);
  out[copyBytes(out, at, literal, 0, literal.length)] = CLOSE_BRACE;
  return out;
}

/** The 200 answer for a found value. */
export function valueAnswer(literal: Uint8Array, dataset: string): Answer {
  return { status: 200, body: valueBody(literal), dataset, outcome: OUTCOME.found };
}

/** The answer for a catalog error, counted as `outcome`. */
export function errorAnswer(err: HttpError, dataset: string, outcome: Outcome = outcomeOf(err)): Answer {
  return { status: err.statusCode, body: errorJson(err), dataset, outcome, error: err };
}

/** What a one-key error counts as: a miss, an invalid request, or no lookup at all (5xx, 413...). */
function outcomeOf(err: HttpError): Outcome {
  if (err.statusCode === 404) return OUTCOME.missing;
  return err.statusCode === 400 ? OUTCOME.invalid : OUTCOME.none;
}

/** Where a core reports a failure that answers 5xx: the client gets the catalog's body only. */
export type FailureLog = (err: unknown) => void;

/**
 * The catalog error a failure answers: `mapped` when given (an adapter's mapping of its framework's
 * errors), else the error itself when it is from the catalog (a store's 503), else a 500. A 5xx is
 * logged with the original error; the client gets the catalog's body only.
 */
export function failure(err: unknown, log: FailureLog, mapped?: HttpError): HttpError {
  const answer = mapped ?? (err instanceof HttpError ? err : rokvError('INTERNAL'));
  if (answer.statusCode >= 500) log(err);
  return answer;
}

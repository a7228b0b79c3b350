/**
 * The error a RokvClient call rejects with. It is not a catalog error (src/errors.ts): it runs in the
 * caller's process and carries either the code the server sent or one of the client-side codes below.
 */

/** Codes the client itself raises when no usable answer came back. */
export type ClientErrorCode = 'TIMEOUT' | 'ABORTED' | 'CONNECTION' | 'BAD_RESPONSE';

/** A failed call: the server's `message` and `code` (and HTTP status), or a client-side code. */
export class RokvClientError extends Error {
  /** The server's stable code (e.g. `BODY_TOO_LARGE`), or a {@link ClientErrorCode}. */
  readonly code: string;
  /** The HTTP status of the answer, absent when no answer came back. */
  readonly status: number | undefined;

  constructor(code: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RokvClientError';
    this.code = code;
    this.status = status;
  }
}

const RETRYABLE_SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True when `err` is a transport failure worth retrying: the connection broke before an answer. */
export function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SOCKET_CODES.has(code);
}

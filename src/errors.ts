/**
 * The error catalog: every failure a client or an operator can meet, with a stable code, an HTTP
 * status (for the ones a request can cause) and a message that says what was expected and what was
 * received. Nothing else in rokv invents error codes. Over 250 lines because it is the catalog: one
 * entry per failure, kept in one place so codes stay unique and stable.
 */

/** Shortens untrusted input before it is echoed in a message, so a message stays one short line. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return clip(text, max);
}

/** `text` cut to `max` characters, saying how long it was. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...(${text.length} chars)` : text;
}

/** Describes the JSON type of a value in words a client recognises ("an array", "null", ...). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

const UUID_EXPECTED =
  'a canonical UUIDv4: 8-4-4-4-12 hex digits with hyphens, version digit 4, variant digit 8, 9, a or b';

/** Every error rokv can report, by code. */
export const catalog = {
  BODY_INVALID_JSON: (detail: string) => ({
    status: 400,
    message: `request body is not valid JSON (${detail}); expected {"key": "<uuid>"}`,
  }),
  BODY_EMPTY: () => ({ status: 400, message: 'request body is empty; expected {"key": "<uuid>"}' }),
  BODY_NOT_OBJECT: (received: unknown) => ({
    status: 400,
    message: `request body must be a JSON object like {"key": "<uuid>"}; received ${jsonType(received)}`,
  }),
  KEY_MISSING: () => ({ status: 400, message: 'request body has no "key" field; expected {"key": "<uuid>"}' }),
  KEY_NOT_STRING: (received: unknown) => ({
    status: 400,
    message: `"key" must be a string holding a UUIDv4; received ${jsonType(received)}`,
  }),
  KEY_INVALID: (received: string) => ({
    status: 400,
    message: `"key" must be ${UUID_EXPECTED}; received ${preview(received)}`,
  }),
  KEY_NOT_FOUND: (key: string) => ({ status: 404, message: `key ${key} is not in the data set` }),
  BODY_TOO_LARGE: (limit: number) => ({
    status: 413,
    message: `request body is larger than the limit of ${limit} bytes`,
  }),
  CONTENT_TYPE_UNSUPPORTED: (received: string | undefined) => ({
    status: 415,
    message: `content type must be application/json; received ${received ? preview(received) : 'none'}`,
  }),
  ROUTE_NOT_FOUND: (method: string, url: string) => ({
    status: 404,
    message: `no route ${method} ${preview(url, 100)}; the API is POST /get_value with {"key": "<uuid>"}, every route is described at /docs`,
  }),
  METHOD_NOT_ALLOWED: (method: string, url: string, allowed: string) => ({
    status: 405,
    message: `method ${method} is not allowed on ${url}; use ${allowed}`,
  }),
  BATCH_INVALID: (detail: string, limit: number) => ({
    status: 400,
    message: `request body must be a JSON object like {"keys": ["<uuid>", ...]} with 1 to ${limit} keys; ${detail}`,
  }),
  BATCH_TOO_LARGE: (limit: number) => ({
    status: 413,
    message: `a batch holds at most ${limit} keys; send the keys in several batches`,
  }),
  ANSWER_TOO_LARGE: (limit: number) => ({
    status: 413,
    message: `the answer to this batch would be larger than the limit of ${limit} bytes; ask for fewer keys per batch`,
  }),
  // The detail may quote the request (Fastify's message for a malformed URL holds the whole URL).
  BAD_REQUEST: (detail: string) => ({ status: 400, message: `bad request: ${clip(detail, 200)}` }),
  INTERNAL: () => ({ status: 500, message: 'internal server error; the failure was logged' }),
  UNAVAILABLE: (why: string) => ({ status: 503, message: `service unavailable: ${why}` }),
  NOT_READY: (why: string) => ({ status: 503, message: `not ready: ${why}` }),
  STORE_UNAVAILABLE: () => ({
    status: 503,
    message: 'the data store did not answer this lookup in time; retry in a few seconds',
  }),
  AUTH_MISSING: () => ({
    status: 401,
    message: 'this route needs an API key; send it as the header "Authorization: Bearer <key>"',
  }),
  AUTH_INVALID: () => ({
    status: 401,
    message: 'the API key is not accepted; send a current key as "Authorization: Bearer <key>"',
  }),
  RATE_LIMITED: (max: number, retryAfterSeconds: number) => ({
    status: 429,
    message: `too many requests: the limit is ${max} a minute per client; retry in ${retryAfterSeconds} s`,
  }),

  // Command-line failures: an exit code, no HTTP status (one reaching a request answers INTERNAL).
  SNAPSHOT_MISSING: (dir: string) => ({
    exit: 1,
    message: `no snapshot at ${dir}: manifest.json not found (build one with \`rokv build INPUT --out ${dir}\`)`,
  }),
  SNAPSHOT_INVALID: (dir: string, why: string) => ({
    exit: 1,
    message: `snapshot at ${dir} is not usable: ${why}`,
  }),
  SNAPSHOT_CORRUPT: (dir: string, why: string) => ({ exit: 1, message: `snapshot at ${dir} is corrupt: ${why}` }),
  MANIFEST_INVALID: (dir: string, field: string, why: string) => ({
    exit: 1,
    message: `snapshot at ${dir} has an invalid manifest.json: field "${field}" ${why}`,
  }),
  SNAPSHOT_EXISTS: (dir: string) => ({
    exit: 1,
    message: `${dir} already exists; snapshots are immutable, choose another --out or remove it first`,
  }),
  INPUT_UNREADABLE: (file: string, why: string) => ({ exit: 1, message: `cannot read ${file}: ${why}` }),
  OUTPUT_UNWRITABLE: (flag: string, file: string, why: string) => ({
    exit: 1,
    message: `${flag} ${file} cannot be written: ${why}`,
  }),
  INPUT_INVALID: (where: string, why: string) => ({ exit: 1, message: `${where}: ${why}` }),
  USAGE: (why: string) => ({ exit: 2, message: why }),
  ADMIN_UNAUTHORIZED: () => ({
    status: 401,
    message: 'admin calls need the header "Authorization: Bearer <admin token>"; none was sent',
  }),
  ADMIN_FORBIDDEN: () => ({ status: 403, message: 'the admin token sent does not match the configured one' }),
  ROOT_INVALID: (root: string, why: string) => ({ exit: 1, message: `data root at ${root} is not usable: ${why}` }),
  VERSION_NOT_FOUND: (root: string, id: string) => ({
    status: 404,
    message: `no version ${preview(id)} in the data root ${root}; \`rokv versions --root ${root}\` lists them`,
  }),
  VERSION_AMBIGUOUS: (root: string, prefix: string, matches: readonly string[]) => ({
    status: 400,
    message: `${preview(prefix)} is the start of ${matches.length} versions in the data root ${root} (${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', ...' : ''}); give more digits of the id`,
  }),
  NO_PREVIOUS_VERSION: (root: string) => ({
    status: 409,
    message: `the data root ${root} has no previous version to roll back to`,
  }),
  VERSION_REFUSED: (id: string, why: string) => ({
    status: 409,
    message: `version ${id} was refused and the current one keeps serving: ${why}`,
  }),
  ROOT_CHANGED: (root: string) => ({
    status: 409,
    message: `the current version of ${root} changed while this switch was being checked; try again`,
  }),
  PUBLISH_REFUSED: (snapshot: string, why: string) => ({
    exit: 1,
    message: `${snapshot} was not published: ${why}`,
  }),
  CONFIG_INVALID: (why: string) => ({ exit: 2, message: why }),
  STORE_NOT_LOADED: (why: string) => ({
    exit: 1,
    message: `the Redis store holds no usable data set: ${why} (load one with \`rokv load SNAPSHOT --store URL\`)`,
  }),
  LOAD_VERIFY_FAILED: (version: string, why: string) => ({
    exit: 1,
    message: `version ${version} was not activated: ${why}`,
  }),
  LOADTEST_UNREACHABLE: (url: string, why: string) => ({
    exit: 1,
    message: `cannot load ${url}: its first request got no answer (${why}); is the server running there?`,
  }),
  LOADTEST_WRONG_ANSWERS: (wrong: number, keys: number) => ({
    exit: 1,
    message: `the server gave ${wrong} wrong answer(s) out of ${keys} keys asked; the output shows examples`,
  }),
  LISTEN_FAILED: (address: string, why: string) => ({ exit: 1, message: `cannot listen on ${address}: ${why}` }),
  STORE_UNREACHABLE: (endpoint: string, why: string) => ({
    exit: 1,
    message: `Redis is unreachable at ${endpoint} (${why}); start it or point --store / ROKV_STORE at a running one`,
  }),
  DATASET_EMPTY: (inputs: string) => ({
    exit: 1,
    message: `no pair was read from ${inputs}: refusing to build an empty snapshot (give --allow-empty to build one anyway)`,
  }),
} as const satisfies Record<string, (...args: never[]) => HttpEntry | CliEntry>;

/** A catalog entry for a failure a request can cause: answered with this HTTP status. */
interface HttpEntry {
  status: number;
  message: string;
}

/** A catalog entry for a failure of a command: it ends the process with this exit code. */
interface CliEntry {
  exit: number;
  message: string;
}

/** A code of the catalog. */
export type ErrorCode = keyof typeof catalog;

/** The codes of HTTP errors (with a status) and of command-line errors (with an exit code). */
export type HttpErrorCode = {
  [C in ErrorCode]: ReturnType<(typeof catalog)[C]> extends HttpEntry ? C : never;
}[ErrorCode];
export type CliErrorCode = Exclude<ErrorCode, HttpErrorCode>;

/** An error from the catalog: its stable code, a message for people, and what caused it, if anything. */
export abstract class RokvError extends Error {
  readonly code: ErrorCode;
  /** How a command that ends with this error exits. */
  abstract readonly exitCode: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RokvError';
    this.code = code;
  }

  /** Records the lower-level error this one explains (kept off the message). */
  withCause(cause: unknown): this {
    Object.defineProperty(this, 'cause', { value: cause, writable: true, configurable: true });
    return this;
  }
}

/** A failure a request can cause, answered with its HTTP status; a command ending with it exits 1. */
export class HttpError extends RokvError {
  override readonly code: HttpErrorCode;
  readonly statusCode: number;
  readonly exitCode = 1;

  constructor(code: HttpErrorCode, status: number, message: string) {
    super(code, message);
    this.name = 'HttpError';
    this.code = code;
    this.statusCode = status;
  }
}

/** A failure of a command (bad input, missing file, unreachable service), with its exit code. */
export class CliError extends RokvError {
  override readonly code: CliErrorCode;
  readonly exitCode: number;

  constructor(code: CliErrorCode, exitCode: number, message: string) {
    super(code, message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The class of the error a code makes. */
export type ErrorOf<C extends ErrorCode> = C extends HttpErrorCode ? HttpError : CliError;

/** Creates the catalog's error for `code` with the arguments its message needs. */
export function rokvError<C extends ErrorCode>(code: C, ...args: Parameters<(typeof catalog)[C]>): ErrorOf<C> {
  const make = catalog[code] as (...a: Parameters<(typeof catalog)[C]>) => HttpEntry | CliEntry;
  const entry = make(...args);
  const error =
    'status' in entry
      ? new HttpError(code as HttpErrorCode, entry.status, entry.message)
      : new CliError(code as CliErrorCode, entry.exit, entry.message);
  return error as ErrorOf<C>;
}

/** What the system error codes a user can cause mean, in words. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory, expected a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files (raise the limit: ulimit -n)',
  ECONNREFUSED: 'connection refused',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
};

/** A system error's code in words: "connection refused (ECONNREFUSED)"; undefined for other errors. */
export function systemErrorWords(err: unknown): string | undefined {
  return isSystemError(err) ? `${SYSTEM_ERRORS[err.code]} (${err.code})` : undefined;
}

/** The fields Node puts on a failed system call (fs, net). */
interface SystemError {
  code: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

function isSystemError(err: unknown): err is SystemError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as SystemError).code === 'string' &&
    (err as SystemError).code in SYSTEM_ERRORS
  );
}

/**
 * The one line an expected failure deserves (a catalog error, or a file or network error the user
 * can fix), or undefined for a failure nobody expected, which is reported with its stack.
 */
export function describeFailure(err: unknown): string | undefined {
  if (err instanceof RokvError) return err.message;
  if (!isSystemError(err)) return undefined;
  const where =
    err.path ??
    (err.address === undefined ? undefined : `${err.address}${err.port === undefined ? '' : `:${err.port}`}`);
  const action = err.syscall === undefined ? '' : `${err.syscall} `;
  return `${action}${where ?? ''}: ${systemErrorWords(err)}`;
}

/** The exit code of a failed command: the catalog's for its errors (2 for a command line that cannot run), else 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof RokvError ? err.exitCode : 1;
}

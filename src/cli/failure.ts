import { RokvError } from '../errors.js';

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
  ECONNREFUSED: 'connection refused (is the server running there?)',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
};

/** The fields Node puts on a failed system call. */
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
export function expectedFailure(err: unknown): string | undefined {
  if (err instanceof RokvError) return err.message;
  if (!isSystemError(err)) return undefined;
  const where =
    err.path ??
    (err.address === undefined ? undefined : `${err.address}${err.port === undefined ? '' : `:${err.port}`}`);
  const action = err.syscall === undefined ? '' : `${err.syscall} `;
  return `${action}${where ?? ''}: ${SYSTEM_ERRORS[err.code]} (${err.code})`;
}

/** The exit code of a failed command: 2 for a command line that cannot run, else 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof RokvError && (err.code === 'USAGE' || err.code === 'CONFIG_INVALID') ? 2 : 1;
}

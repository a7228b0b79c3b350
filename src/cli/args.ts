import { rokvError } from '../errors.js';

/**
 * Runs a command's flag parsing (node's util.parseArgs) and turns its complaints about unknown or
 * malformed flags into a usage error that shows the command's usage line.
 */
export function withUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw rokvError('USAGE', `${(err as Error).message}\nusage: ${usage}`);
  }
}

/** The one positional argument a command needs, or a usage error. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) {
    throw rokvError('USAGE', `expected exactly one ${what}, received ${positionals.length}\nusage: ${usage}`);
  }
  return positionals[0]!;
}

import { distance } from 'fastest-levenshtein';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { rokvError } from '../errors.js';
import type { OptionTable } from '../options.js';
import type { Command } from './command.js';

/** The closest of `candidates` to a mistyped `word`, if one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 3 ? 1 : distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  // A third of the word may be wrong (two letters at least): `serv`, `--fromat`, `--prot`.
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** " (did you mean X?)" when a close candidate exists. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const near = closest(word, candidates);
  return near === undefined ? '' : `; did you mean ${near}?`;
}

/** node:util parseArgs's table for an option table, plus `-h, --help`. */
function parserOptions(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const spec of Object.values(table)) {
    options[spec.flag] = {
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      ...(spec.kind === 'list' ? { multiple: true } : {}),
      ...(spec.short === undefined ? {} : { short: spec.short }),
    };
  }
  return options;
}

/** True when the arguments ask for help (`-h` or `--help` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** A usage error: what was wrong, then where to read more. */
function usageError(cmd: Command, why: string): Error {
  return rokvError('USAGE', `${why}\nrun \`rokv ${cmd.name} --help\` for its usage, flags and examples`);
}

/** Parses a command's arguments: flags by its table, positionals by its list; validates the values. */
export function parseCommandLine(
  cmd: Command,
  argv: string[],
  env: NodeJS.ProcessEnv,
): { values: Record<string, unknown>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: parserOptions(cmd.options), allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(cmd, flagProblem(cmd, err as Error));
  }
  const { values, positionals } = parsed;
  checkPositionals(cmd, positionals);
  return { values: cmd.validate(values, env), positionals };
}

/** Rewords node's complaint about a flag ("Unknown option '--fromat'. To specify ...") as one line. */
function flagProblem(cmd: Command, err: Error): string {
  const flags = Object.values(cmd.options).map((o) => `--${o.flag}`);
  const unknown = /Unknown option '([^']+)'/.exec(err.message)?.[1];
  if (unknown !== undefined) {
    const name = unknown.split('=')[0]!;
    return `unknown flag ${name} for ${cmd.name}${suggestion(name, [...flags, '--help'])}`;
  }
  const named = /Option '(?:-\w, )?(--[\w-]+)/.exec(err.message)?.[1];
  if (named !== undefined && /argument missing|ambiguous/.test(err.message)) {
    const spec = Object.values(cmd.options).find((o) => `--${o.flag}` === named);
    return `${named} needs a value${spec?.value === undefined ? '' : `: ${named} ${spec.value}`}`;
  }
  if (named !== undefined && /does not take an argument/.test(err.message))
    return `${named} is a switch and takes no value`;
  return err.message.split('\n')[0]!;
}

/** Refuses arguments a command does not take, and asks for the ones it needs. */
function checkPositionals(cmd: Command, positionals: readonly string[]): void {
  const variadic = cmd.positionals.some((p) => p.variadic === true);
  const names = cmd.positionals.map((p) => (p.variadic ? `${p.name}...` : p.name)).join(' ');
  if (cmd.positionals.length === 0 && positionals.length > 0) {
    const what = positionals.map((p) => JSON.stringify(p)).join(' ');
    throw usageError(cmd, `${cmd.name} takes no arguments, got ${what}${cmd.hint ? `; ${cmd.hint}` : ''}`);
  }
  if (!variadic && positionals.length > cmd.positionals.length) {
    const extra = positionals.slice(cmd.positionals.length).map((p) => JSON.stringify(p));
    throw usageError(cmd, `${cmd.name} takes ${names} only, got extra argument(s) ${extra.join(' ')}`);
  }
  if (positionals.length < cmd.positionals.length) {
    const missing = cmd.positionals[positionals.length]!;
    throw usageError(cmd, `${cmd.name} needs ${names}: ${missing.name} is missing (${missing.help})`);
  }
}

/**
 * Options as data: each one is described once (flag, environment variable, schema, default, help)
 * and everything else is derived from that description: the command line parser's table, the
 * environment mapping, validation with messages in the words a user typed, each command's help and
 * the README's option tables.
 */
import { z } from 'zod';
import { preview, rokvError } from './errors.js';

/** How the command line carries an option: a value, a switch, or a value that may be repeated. */
export type OptionKind = 'string' | 'boolean' | 'list';

/** What a kind of value looks like: how it is carried, its schema and how an error describes it. */
export interface ValueKind<S extends z.ZodType = z.ZodType> {
  kind: OptionKind;
  schema: S;
  /** Completes "expected ...": "a port number 0-65535". */
  expects: string;
}

/** The parts of an option that are not about its value. */
export interface OptionBase {
  /** The long flag without dashes (`port`, `no-fast-lane`). */
  flag: string;
  short?: string;
  /** The environment variable that sets the same option, where one makes sense. */
  env?: string;
  /** The placeholder shown after the flag in help (`--port PORT`). */
  value?: string;
  /** One sentence: what the option does. */
  help: string;
  /** The default as help shows it, where the value itself says little ("the number of CPUs"). */
  defaultText?: string;
  /** A switch that turns its option off: `--no-fast-lane` sets `fastLane` to false. */
  negates?: boolean;
  /** Never echoed in an error message. */
  secret?: boolean;
}

/** One option of a command, described once. */
export interface OptionSpec<S extends z.ZodType = z.ZodType> extends OptionBase, ValueKind<S> {
  /** The default value or how to compute it; undefined when the option has none. */
  default?: unknown;
  required?: boolean;
}

/** A command's options by the key its code reads them with. */
export type OptionTable = Record<string, OptionSpec>;

/** The validated, typed values of an option table. */
export type OptionValues<T extends OptionTable> = z.output<z.ZodObject<{ [K in keyof T]: T[K]['schema'] }>>;

type Default<S extends z.ZodType> = Exclude<z.output<S>, undefined>;

/** An option with a default: always has a value after validation. */
export function option<S extends z.ZodType>(
  spec: OptionBase & ValueKind<S> & { default: Default<S> | (() => Default<S>) },
): OptionSpec<z.ZodDefault<S>>;
/** An option the command cannot run without. */
export function option<S extends z.ZodType>(spec: OptionBase & ValueKind<S> & { required: true }): OptionSpec<S>;
/** An option that may be absent. */
export function option<S extends z.ZodType>(spec: OptionBase & ValueKind<S>): OptionSpec<z.ZodOptional<S>>;
export function option(spec: OptionBase & ValueKind & { default?: unknown; required?: boolean }): OptionSpec {
  if (spec.required === true) return spec;
  const schema = spec.default === undefined ? spec.schema.optional() : spec.schema.default(spec.default as never);
  return { ...spec, schema };
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;

function numberFrom(text: RegExp) {
  return z.union([z.number(), z.string().regex(text).transform(Number)]);
}

/** A whole number from `min` to `max` (a digit string on the command line or in the environment). */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER, what = 'a whole number') {
  return {
    kind: 'string',
    schema: numberFrom(INTEGER_TEXT).pipe(z.number().int().min(min).max(max)),
    expects: max === Number.MAX_SAFE_INTEGER ? `${what} of at least ${min}` : `${what} ${min}-${max}`,
  } satisfies ValueKind;
}

/** A TCP port number. */
export const portNumber = () => integer(0, 65535, 'a port number');

/** A number (fractions allowed) from `min` to `max`. */
export function decimal(min: number, max: number, what = 'a number') {
  return {
    kind: 'string',
    schema: numberFrom(DECIMAL_TEXT).pipe(z.number().min(min).max(max)),
    expects: `${what} from ${min} to ${max}`,
  } satisfies ValueKind;
}

/** A non-empty string: a path, a URL, a host name. */
export function text(what: string) {
  return { kind: 'string', schema: z.string().min(1), expects: what } satisfies ValueKind;
}

/** One of a few words. */
export function choice<const V extends readonly [string, ...string[]]>(values: V) {
  return { kind: 'string', schema: z.enum(values), expects: `one of ${values.join(', ')}` } satisfies ValueKind;
}

/** A switch: present on the command line, or "true"/"false"/"1"/"0" in the environment (z.coerce would read "false" as true). */
export function toggle() {
  return {
    kind: 'boolean',
    schema: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1'),
    expects: 'true or false (or 1 or 0)',
  } satisfies ValueKind;
}

/** A repeatable flag, or a comma-separated list in the environment. */
export function list(what: string) {
  return { kind: 'list', schema: z.array(z.string().min(1)), expects: what } satisfies ValueKind;
}

/** A string `parse` turns into a value, or refuses by returning undefined. */
export function parsed<T>(what: string, parse: (text: string) => T | undefined) {
  return {
    kind: 'string',
    schema: z.string().transform((s, ctx) => {
      const value = parse(s);
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${what}` });
        return z.NEVER;
      }
      return value;
    }),
    expects: what,
  } satisfies ValueKind;
}

/** How an option is named to the user: every way they could have set it (`--port / PORT`). */
export function optionNames(spec: OptionBase): string {
  return [`--${spec.flag}`, ...(spec.env === undefined ? [] : [spec.env])].join(' / ');
}

/**
 * The raw value of every option: the flag when given, else the environment variable when set and
 * not empty, else nothing (the schema's default applies).
 */
export function rawOptions(
  table: OptionTable,
  flags: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const flag = flags[spec.flag];
    const fromEnv = spec.env === undefined ? undefined : env[spec.env] || undefined;
    if (flag !== undefined) raw[key] = spec.negates === true ? false : flag;
    else if (fromEnv !== undefined) raw[key] = spec.kind === 'list' ? splitList(fromEnv) : fromEnv;
  }
  return raw;
}

/** Splits a comma-separated environment list, dropping empty items. */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The schema of a whole table: one object of its options' schemas. */
export function tableSchema<T extends OptionTable>(table: T) {
  const shape = Object.fromEntries(Object.entries(table).map(([k, spec]) => [k, spec.schema]));
  return z.object(shape as { [K in keyof T]: T[K]['schema'] });
}

/**
 * Validates raw option values against `schema` (a table's, perhaps with cross-option checks) and
 * reports the first problem in the words of the command line: the flag and variable the user
 * typed, what was expected and what was received.
 */
export function validateOptions<S extends z.ZodType>(
  table: OptionTable,
  schema: S,
  raw: Record<string, unknown>,
): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const spec = Object.hasOwn(table, key) ? table[key] : undefined;
  if (spec === undefined) throw rokvError('CONFIG_INVALID', issue.message);
  const value = cleaned[key];
  const placeholder = spec.value === undefined ? '' : ` ${spec.value}`;
  if (value === undefined) {
    const orEnv = spec.env === undefined ? '' : ` (or ${spec.env})`;
    throw rokvError('CONFIG_INVALID', `--${spec.flag}${placeholder}${orEnv} is required: ${spec.help}`);
  }
  if (issue.code === 'custom' && !issue.message.startsWith('expected ')) {
    throw rokvError('CONFIG_INVALID', `${optionNames(spec)}: ${issue.message}`);
  }
  const got = spec.secret === true ? 'a secret (not shown)' : preview(value);
  throw rokvError('CONFIG_INVALID', `${optionNames(spec)}: expected ${spec.expects}, got ${got}`);
}

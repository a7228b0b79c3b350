import { rawOptions, tableSchema, validateOptions, type OptionTable, type OptionValues } from '../options.js';

/** A positional argument of a command. */
export interface Positional {
  /** As usage shows it: `KEY`, `INPUT`. */
  name: string;
  help: string;
  /** Takes one or more (`INPUT...`). */
  variadic?: boolean;
}

/** A worked example for help: what it does, then the command line. */
export interface Example {
  note: string;
  line: string;
}

/** What a command's code receives: validated, typed options and its positional arguments. */
export interface CommandArgs<O extends OptionTable> {
  values: OptionValues<O>;
  positionals: string[];
  env: NodeJS.ProcessEnv;
}

/** A command as written: typed by its option table. */
export interface CommandSpec<O extends OptionTable> {
  name: string;
  /** One line for the command list: what it does. */
  summary: string;
  positionals: readonly Positional[];
  options: O;
  examples: readonly Example[];
  /** Said when a command that takes no arguments is given some. */
  hint?: string;
  /** Validates flags and environment into values; the default checks each option's schema. */
  validate?: (flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv) => OptionValues<O>;
  /** Loads the command's code only when it runs (`rokv serve` then starts without the ingest code). */
  load: () => Promise<(args: CommandArgs<O>) => Promise<void>>;
}

/** A command as `rokv` dispatches it: its description, a validator and a runner. */
export interface Command {
  name: string;
  summary: string;
  positionals: readonly Positional[];
  options: OptionTable;
  examples: readonly Example[];
  hint?: string;
  validate: (flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv) => Record<string, unknown>;
  run: (values: Record<string, unknown>, positionals: string[], env: NodeJS.ProcessEnv) => Promise<void>;
}

/** Describes a command once; its help, parser and validator all read this description. */
export function command<O extends OptionTable>(spec: CommandSpec<O>): Command {
  const schema = tableSchema(spec.options);
  const validate =
    spec.validate ?? ((flags, env) => validateOptions(spec.options, schema, rawOptions(spec.options, flags, env)));
  return {
    ...spec,
    validate,
    // The values came out of `validate` for this very table.
    run: async (values, positionals, env) =>
      (await spec.load())({ values: values as OptionValues<O>, positionals, env }),
  };
}

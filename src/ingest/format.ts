/** The input formats `rokv build` reads. */
export const INPUT_FORMATS = ['json', 'jsonl', 'csv', 'tsv'] as const;

/** One input format. */
export type InputFormat = (typeof INPUT_FORMATS)[number];

const BY_EXTENSION: Record<string, InputFormat> = {
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  csv: 'csv',
  tsv: 'tsv',
};

/** The names `--format` accepts (ndjson is jsonl). */
export const FORMAT_NAMES = Object.keys(BY_EXTENSION);

/** The format a `--format` value names, or undefined. */
export function parseFormat(text: string): InputFormat | undefined {
  return Object.hasOwn(BY_EXTENSION, text.toLowerCase()) ? BY_EXTENSION[text.toLowerCase()] : undefined;
}

/** The default `maxValueBytes` of a build: 1 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 1 << 20;

/** The format named by a file's extension, ignoring a trailing `.gz`; undefined when it names none. */
export function formatFromName(name: string): InputFormat | undefined {
  const parts = name.toLowerCase().replace(/\.gz$/, '').split('.');
  return parts.length > 1 ? BY_EXTENSION[parts[parts.length - 1]!] : undefined;
}

import { rokvError } from '../errors.js';

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

/** Checks a `--format` value. */
export function parseFormat(text: string): InputFormat {
  const format = BY_EXTENSION[text.toLowerCase()];
  if (format === undefined) {
    throw rokvError('USAGE', `--format must be one of json, jsonl, ndjson, csv, tsv; received ${JSON.stringify(text)}`);
  }
  return format;
}

/** The format named by a file's extension, ignoring a trailing `.gz`; undefined when it names none. */
export function formatFromName(name: string): InputFormat | undefined {
  const parts = name.toLowerCase().replace(/\.gz$/, '').split('.');
  return parts.length > 1 ? BY_EXTENSION[parts[parts.length - 1]!] : undefined;
}

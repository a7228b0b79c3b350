import type { SyntheticPair } from './synthetic.js';

/** The text formats `rokv gen` writes. */
export const GEN_FORMATS = ['json', 'jsonl', 'csv'] as const;

/** One of the formats `rokv gen` writes. */
export type GenFormat = (typeof GEN_FORMATS)[number];

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Renders pairs as text chunks of one input format, a chunk per pair plus header and footer. */
export function* renderPairs(pairs: Iterable<SyntheticPair>, format: GenFormat): Generator<string> {
  switch (format) {
    case 'json': {
      let first = true;
      yield '{';
      for (const { key, value } of pairs) {
        yield `${first ? '\n' : ',\n'}${JSON.stringify(key)}: ${JSON.stringify(value)}`;
        first = false;
      }
      yield '\n}\n';
      return;
    }
    case 'jsonl':
      for (const { key, value } of pairs) yield `{"key":${JSON.stringify(key)},"value":${JSON.stringify(value)}}\n`;
      return;
    case 'csv':
      yield 'key,value\n';
      for (const { key, value } of pairs) yield `${key},${csvField(value)}\n`;
      return;
  }
}

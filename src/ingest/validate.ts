import { preview, jsonType, rokvError } from '../errors.js';
import { parseUuid } from '../uuid.js';
import type { RawPair } from './pair.js';

/** A validated pair: the key's 16 bytes and the value as the UTF-8 bytes of its JSON string literal. */
export interface ValidPair {
  key: Buffer;
  value: Buffer;
  where: string;
}

/** Checks one raw pair and converts it to its stored form; throws a catalog error naming the row. */
export function validatePair(raw: RawPair): ValidPair {
  if (typeof raw.key !== 'string') {
    throw rokvError('INPUT_INVALID', raw.where, `key must be a string UUIDv4, found ${jsonType(raw.key)}`);
  }
  const key = parseUuid(raw.key, Buffer.alloc(16));
  if (key === undefined) {
    throw rokvError('INPUT_INVALID', raw.where, `key ${preview(raw.key)} is not a canonical UUIDv4`);
  }
  if (typeof raw.value !== 'string') {
    throw rokvError(
      'INPUT_INVALID',
      raw.where,
      `value of key ${raw.key} must be a string, found ${jsonType(raw.value)}`,
    );
  }
  return { key: key as Buffer, value: Buffer.from(JSON.stringify(raw.value), 'utf8'), where: raw.where };
}

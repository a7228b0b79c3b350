/**
 * How rokv lays a data set out in Redis. Pairs live in small hashes ("buckets") chosen by the top
 * bits of the key: Redis keeps a hash of up to `hash-max-listpack-entries` (128) short fields in one
 * compact listpack, which costs far fewer bytes per pair than one top-level string key each (see
 * docs/scaling.md for both measured). Every key of a version carries the version in its name, so a
 * new version loads beside the served one and a pointer flip switches readers over atomically.
 */

import { isVersionId } from '../snapshot/version-id.js';

/** Prefix of every key rokv writes. */
export const PREFIX = 'rokv';

/** The string key naming the version servers answer from. */
export const CURRENT_KEY = `${PREFIX}:current`;

/** Sorted set of loaded versions, scored by load time (ms): what `--keep` prunes. */
export const VERSIONS_KEY = `${PREFIX}:versions`;

/** Mean pairs per bucket the loader aims at: well under the listpack limit of 128 even for full buckets. */
export const TARGET_PAIRS_PER_BUCKET = 64;

/** Most bucket bits: the bucket index is read from the first 4 key bytes. */
export const MAX_BUCKET_BITS = 32;

/** The hash holding a version's description (the manifest fields and the bucket bits). */
export function metaKey(version: string): string {
  return `${PREFIX}:v:${version}:meta`;
}

/** Bucket bits for `count` pairs: enough buckets that each holds about TARGET_PAIRS_PER_BUCKET. */
export function bucketBitsFor(count: number): number {
  const buckets = Math.max(1, count / TARGET_PAIRS_PER_BUCKET);
  return Math.min(MAX_BUCKET_BITS, Math.ceil(Math.log2(buckets)));
}

/** The bucket index of a 16-byte key: its top `bits` bits. */
export function bucketOf(key: Uint8Array, bits: number): number {
  if (bits === 0) return 0;
  const top = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
  return top >>> (32 - bits);
}

/** The Redis key of bucket `bucket` of `version`. */
export function bucketKey(version: string, bucket: number): string {
  return `${PREFIX}:v:${version}:b:${bucket.toString(16)}`;
}

/**
 * The hash field of a key inside its bucket: the key without the whole bytes the bucket already
 * determines (a field shorter by those bytes, in every one of billions of pairs). Returns a copy.
 */
export function fieldOf(key: Uint8Array, bits: number): Buffer {
  // A copy: the client may write the command out on a later tick, after the caller reused `key`.
  return Buffer.from(key.subarray(bits >>> 3));
}

/** Number of buckets of a version with `bits` bucket bits. */
export function bucketCount(bits: number): number {
  return 2 ** bits;
}

/** What the meta hash of a version holds. */
export interface VersionMeta {
  version: string;
  bits: number;
  count: number;
  checksum: string;
  createdAt: string;
  source: string;
  formatVersion: number;
  /** False while the loader is still writing or verifying; servers only ever activate complete versions. */
  complete: boolean;
}

/** The meta hash fields of `meta`, as HSET takes them. */
export function encodeMeta(meta: VersionMeta): Record<string, string> {
  return {
    version: meta.version,
    bits: String(meta.bits),
    count: String(meta.count),
    checksum: meta.checksum,
    createdAt: meta.createdAt,
    source: meta.source,
    formatVersion: String(meta.formatVersion),
    complete: meta.complete ? '1' : '0',
  };
}

/** Reads a meta hash (HGETALL's answer) back; undefined when it is missing or malformed. */
export function decodeMeta(fields: Record<string, string>): VersionMeta | undefined {
  const bits = Number(fields.bits);
  const count = Number(fields.count);
  if (!isVersionId(fields.version) || !Number.isInteger(bits) || bits < 0 || bits > MAX_BUCKET_BITS) return undefined;
  if (!Number.isSafeInteger(count) || count < 0) return undefined;
  return {
    version: fields.version,
    bits,
    count,
    checksum: fields.checksum ?? '',
    createdAt: fields.createdAt ?? '',
    source: fields.source ?? '',
    formatVersion: Number(fields.formatVersion ?? 1),
    complete: fields.complete === '1',
  };
}

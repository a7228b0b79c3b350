import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { preview, rokvError } from '../errors.js';
import { idFromChecksum } from './checksum.js';
import { DATA_FILE } from './lmdb-file.js';
import { isVersionId } from './version-id.js';

/** Name of the manifest file inside a snapshot directory. */
export const MANIFEST_FILE = 'manifest.json';

/** The snapshot format this rokv writes and reads. */
export const FORMAT_VERSION = 1;

/** One data file of a snapshot, with what verification compares. */
export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

/** What a snapshot says about itself; written last, so its presence means the snapshot is complete. */
export interface Manifest {
  format: 'rokv-snapshot';
  formatVersion: number;
  /** Identity of the data: derived from the content checksum, so the same pairs give the same id. */
  id: string;
  engine: 'lmdb';
  count: number;
  /** sha256 over the pairs in key order (16 key bytes, u32 length, stored value bytes). */
  checksum: string;
  createdAt: string;
  source: string;
  rokvVersion: string;
  files: ManifestFile[];
}

/** The public fields of a manifest, the ones clients may see. */
export type ManifestInfo = Pick<Manifest, 'id' | 'count' | 'createdAt' | 'source' | 'formatVersion'>;

/** Picks the fields of a manifest that are safe to show to clients. */
export function publicInfo(m: Manifest): ManifestInfo {
  return { id: m.id, count: m.count, createdAt: m.createdAt, source: m.source, formatVersion: m.formatVersion };
}

/** Writes a manifest into a (temporary) snapshot directory. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
}

/** Reads and checks the manifest of the snapshot at `dir`; throws a catalog error saying what is wrong. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw rokvError('SNAPSHOT_MISSING', dir);
    throw rokvError('SNAPSHOT_INVALID', dir, `cannot read ${MANIFEST_FILE} (${code ?? 'unknown error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw rokvError('SNAPSHOT_CORRUPT', dir, `${MANIFEST_FILE} is not valid JSON`);
  }
  return checkManifest(dir, parsed);
}

/** Longest `source`, `createdAt` or `rokvVersion` accepted: they are shown in logs and `/dataset`. */
const MAX_TEXT = 1024;

/** Printable text: manifest strings reach log lines and JSON answers, so no control characters. */
const text = (max: number) =>
  z
    .string('a string')
    .max(max, `a string of at most ${max} characters`)
    .refine((t) => !/\p{Cc}/u.test(t), 'a string without control characters');

/**
 * The manifest of format version 1, field by field. Strict: a field this rokv does not know is
 * refused, so a manifest means exactly what this rokv checks and nothing more.
 */
const manifestSchema = z
  .object({
    format: z.literal('rokv-snapshot', 'the string "rokv-snapshot"'),
    formatVersion: z.literal(FORMAT_VERSION),
    id: z
      .string('a version id (16 lowercase hex digits)')
      .refine(isVersionId, 'a version id (16 lowercase hex digits)'),
    engine: z.literal('lmdb', 'the string "lmdb"'),
    count: z.number('a whole number of pairs').int('a whole number of pairs').min(0).max(Number.MAX_SAFE_INTEGER),
    checksum: z
      .string('"sha256:" and 64 lowercase hex digits')
      .regex(/^sha256:[0-9a-f]{64}$/, '"sha256:" and 64 lowercase hex digits'),
    createdAt: text(64).refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 date and time'),
    source: text(MAX_TEXT),
    rokvVersion: text(64),
    files: z
      .array(
        z
          .object({
            name: z.literal(DATA_FILE, `the data file name "${DATA_FILE}"`),
            bytes: z
              .number('a whole number of bytes')
              .int('a whole number of bytes')
              .min(0)
              .max(Number.MAX_SAFE_INTEGER),
            sha256: z.string('64 lowercase hex digits').regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
          })
          .strict(),
        'a list of the data files',
      )
      .length(1, `a list of exactly one data file, "${DATA_FILE}"`),
  })
  .strict();

/**
 * The one validation of a manifest, used by every reader (serve, reload, publish, load, verify,
 * get): every field is checked for type and range, and the id must be the one derived from the
 * checksum, since the id names directories, Redis keys and a response header.
 */
export function checkManifest(dir: string, value: unknown): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw rokvError('SNAPSHOT_CORRUPT', dir, `${MANIFEST_FILE} is not a JSON object`);
  }
  const m = value as Record<string, unknown>;
  if (m.format === 'rokv-snapshot' && m.formatVersion !== FORMAT_VERSION) {
    throw rokvError(
      'SNAPSHOT_INVALID',
      dir,
      `format version ${preview(m.formatVersion)} is not supported by this rokv (it reads version ${FORMAT_VERSION})`,
    );
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const field = [...issue.path, issue.keys[0]!].join('.');
      throw rokvError('MANIFEST_INVALID', dir, field, 'is not a field of this format version');
    }
    const received = preview(valueAt(value, issue.path));
    throw rokvError('MANIFEST_INVALID', dir, issue.path.join('.'), `must be ${issue.message}; received ${received}`);
  }
  const manifest = parsed.data;
  const derived = idFromChecksum(manifest.checksum);
  if (manifest.id !== derived) {
    const why = `must be ${preview(derived)}, the id derived from "checksum"; received ${preview(manifest.id)}`;
    throw rokvError('MANIFEST_INVALID', dir, 'id', why);
  }
  return manifest;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const p of path)
    at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[p] : undefined;
  return at;
}

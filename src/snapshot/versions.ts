import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError } from '../errors.js';
import { MANIFEST_FILE, readManifest, type Manifest } from './manifest.js';
import { ensureRealDir, unpredictable } from './root-files.js';
import { lockRoot } from './root-lock.js';
import { isVersionId } from './version-id.js';

/**
 * A data root holds several snapshots and a pointer to the current one:
 *
 *   ROOT/rokv-root.json      the index: current version, history for rollback, published versions
 *   ROOT/versions/<id>/      one snapshot per version, named by its manifest id (content-derived)
 *   ROOT/leases/<pid>.json   which versions a running server process has open
 *   ROOT/.lock/              held while one process changes the index
 *
 * The index is the pointer: it is replaced whole by writing a temporary file and renaming it over
 * the old one, so a reader sees the old pointer or the new one, never a mix.
 */
export const ROOT_FILE = 'rokv-root.json';
const VERSIONS_DIR = 'versions';

/** One published version as the index records it. */
export interface PublishedVersion {
  id: string;
  publishedAt: string;
}

/** The index of a data root. */
export interface RootIndex {
  format: 'rokv-root';
  /** The version servers serve; null until one is activated. */
  current: string | null;
  /** Versions that were current before, the most recent last: what rollback goes back to. */
  history: string[];
  /** Every version present, in publishing order. */
  versions: PublishedVersion[];
}

/** A version with what its manifest says, for listings. */
export interface VersionInfo extends PublishedVersion {
  count: number;
  createdAt: string;
  source: string;
  current: boolean;
}

/** Where `rokv serve --data DIR` finds its snapshot: DIR itself, or the current version of a root. */
export type DataSource =
  { kind: 'snapshot'; dir: string } | { kind: 'root'; root: string; version: string; dir: string };

/** The directory of version `id` inside `root`. */
export function versionDir(root: string, id: string): string {
  return join(root, VERSIONS_DIR, id);
}

/** True when `dir` is a data root (holds an index), false for anything else. */
export async function isDataRoot(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, ROOT_FILE))).isFile();
  } catch {
    return false;
  }
}

/** Tells whether `dir` is a snapshot or a data root; a root must have a current version. */
export async function resolveDataSource(dir: string): Promise<DataSource> {
  if (!(await isDataRoot(dir))) return { kind: 'snapshot', dir };
  const index = await readRootIndex(dir);
  if (index.current === null) {
    throw rokvError(
      'ROOT_INVALID',
      dir,
      `no version is current yet (activate one with \`rokv activate ID --root ${dir}\`)`,
    );
  }
  return { kind: 'root', root: dir, version: index.current, dir: versionDir(dir, index.current) };
}

/** Reads and checks the index of the data root at `root`. */
export async function readRootIndex(root: string): Promise<RootIndex> {
  let text: string;
  try {
    text = await readFile(join(root, ROOT_FILE), 'utf8');
  } catch (err) {
    throw rokvError(
      'ROOT_INVALID',
      root,
      `cannot read ${ROOT_FILE} (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw rokvError('ROOT_INVALID', root, `${ROOT_FILE} is not valid JSON`);
  }
  const bad = (why: string) => rokvError('ROOT_INVALID', root, `${ROOT_FILE} ${why}`);
  const o = parsed as Partial<RootIndex> | null;
  if (typeof o !== 'object' || o === null || o.format !== 'rokv-root') throw bad('does not describe a rokv data root');
  if (o.current !== null && !isVersionId(o.current)) throw bad('has an invalid "current"');
  if (!Array.isArray(o.history) || !o.history.every(isVersionId)) throw bad('has an invalid "history"');
  if (!Array.isArray(o.versions) || !o.versions.every((v) => isVersionId(v?.id) && typeof v.publishedAt === 'string')) {
    throw bad('has an invalid "versions" list');
  }
  // The pointer may only name a version publish let in (each verified in full before it is listed).
  if (o.current !== null && !o.versions.some((v) => v.id === o.current)) {
    throw bad(`has "current" ${o.current}, which is not in its "versions" list`);
  }
  return { format: 'rokv-root', current: o.current ?? null, history: o.history, versions: o.versions };
}

/** Replaces the index atomically: temporary file, flushed, renamed over the old one. */
export async function writeRootIndex(root: string, index: RootIndex): Promise<void> {
  const path = join(root, ROOT_FILE);
  const tmp = `${path}.tmp-${unpredictable()}`;
  await writeFile(tmp, `${JSON.stringify(index, null, 2)}\n`, { flag: 'wx', flush: true });
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Creates an empty data root at `root` unless one is there already; returns its index. */
export async function ensureDataRoot(root: string): Promise<RootIndex> {
  if (await isDataRoot(root)) {
    ensureRealDir(join(root, VERSIONS_DIR));
    return readRootIndex(root);
  }
  try {
    await readManifest(root);
  } catch {
    ensureRealDir(join(root, VERSIONS_DIR));
    const index: RootIndex = { format: 'rokv-root', current: null, history: [], versions: [] };
    await writeRootIndex(root, index);
    return index;
  }
  throw rokvError('ROOT_INVALID', root, `it is a snapshot (has ${MANIFEST_FILE}); a data root is a separate directory`);
}

/** The id of the version `ref` names: its whole id or a unique prefix of it (as git and docker accept). */
export function resolveVersion(index: RootIndex, root: string, ref: string): string {
  if (index.versions.some((v) => v.id === ref)) return ref;
  const matches = ref === '' ? [] : index.versions.filter((v) => v.id.startsWith(ref)).map((v) => v.id);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw rokvError('VERSION_NOT_FOUND', root, ref);
  throw rokvError('VERSION_AMBIGUOUS', root, ref, matches);
}

/**
 * The index after making the version `ref` names (id or unique prefix) current: the old current goes
 * on the history, the new one leaves it.
 */
export function withCurrent(index: RootIndex, root: string, ref: string): RootIndex {
  const id = resolveVersion(index, root, ref);
  if (index.current === id) return index;
  const history = index.history.filter((h) => h !== id);
  if (index.current !== null) history.push(index.current);
  return { ...index, current: id, history };
}

/** The index after going back to the previous version; the rolled-back one is not kept on the history. */
export function withRollback(index: RootIndex, root: string): RootIndex {
  const history = index.history.filter((h) => h !== index.current && index.versions.some((v) => v.id === h));
  const previous = history.pop();
  if (previous === undefined) throw rokvError('NO_PREVIOUS_VERSION', root);
  return { ...index, current: previous, history };
}

/** The version rollback would go back to, if any. */
export function previousVersion(index: RootIndex): string | undefined {
  return index.history.filter((h) => h !== index.current && index.versions.some((v) => v.id === h)).at(-1);
}

/** Lists the versions of a root with their manifests' facts, in publishing order. */
export async function listVersions(root: string): Promise<VersionInfo[]> {
  const index = await readRootIndex(root);
  const out: VersionInfo[] = [];
  for (const v of index.versions) {
    const m: Manifest = await readManifest(versionDir(root, v.id));
    out.push({ ...v, count: m.count, createdAt: m.createdAt, source: m.source, current: v.id === index.current });
  }
  return out;
}

/**
 * Changes the index under the root's lock: reads it, applies `change`, writes the result (unless
 * `change` returned the index unchanged) and returns it. Publishers, rollbacks and admin calls can
 * run at the same moment; the lock makes each read-modify-write whole.
 */
export async function updateRootIndex(
  root: string,
  change: (index: RootIndex) => RootIndex | Promise<RootIndex>,
): Promise<RootIndex> {
  const release = await lockRoot(root);
  try {
    const index = await readRootIndex(root);
    const next = await change(index);
    if (next !== index) await writeRootIndex(root, next);
    return next;
  } finally {
    await release();
  }
}

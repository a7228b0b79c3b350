import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError } from '../errors.js';
import { checkGuards, type PublishGuards } from './guards.js';
import { removeVersionDir, sealReadOnly, unpredictable } from './root-files.js';
import { switchVersion } from './switch-version.js';
import { isAlive, leasedVersions } from './leases.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { checkSnapshot, verifySnapshot } from './verify.js';
import { ensureDataRoot, versionDir, withCurrent, withRollback, updateRootIndex, type RootIndex } from './versions.js';

/** How `publish` brings a snapshot into a root and what it checks first. */
export interface PublishOptions extends PublishGuards {
  /** Move the snapshot directory instead of copying it (same filesystem: a rename). */
  move?: boolean;
  /** Make it current once its checks pass (default); false stages it only. */
  activate?: boolean;
  /** How many versions to keep; older ones are removed when no server has them open. */
  keep?: number;
}

/** What a publish did. */
export interface PublishResult {
  id: string;
  count: number;
  activated: boolean;
  /** True when the same content was already in the root (ids derive from content). */
  existed: boolean;
  removed: string[];
}

/**
 * Brings the snapshot at `snapshot` into the data root: copied (or moved) beside the other versions
 * under a hidden temporary name, verified in full there (file hashes and content checksum), checked
 * against the guards, then renamed into place and, unless staged only, made current. A version that
 * fails any check leaves nothing behind.
 */
export async function publishSnapshot(
  snapshot: string,
  root: string,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const manifest = await checkSnapshot(snapshot);
  const index = await ensureDataRoot(root);
  const id = manifest.id;
  const target = versionDir(root, id);
  const existed = index.versions.some((v) => v.id === id);
  const staging = join(root, 'versions', `.${id}.tmp-${process.pid}-${unpredictable()}`);
  const dir = existed ? target : staging;
  const activate = options.activate !== false;
  let renamed = false;
  let placed = false;
  try {
    if (!existed)
      renamed = await bringIn(
        snapshot,
        staging,
        manifest.files.map((f) => f.name),
        options.move === true,
      );
    await verifySnapshot(dir).catch((err: unknown) => {
      throw rokvError('PUBLISH_REFUSED', snapshot, err instanceof Error ? err.message : String(err));
    });
    // Checked for staged versions too: `rokv activate` later trusts what publish let in.
    const currentCount =
      index.current === null ? undefined : (await readManifest(versionDir(root, index.current))).count;
    const problems = await checkGuards(dir, manifest, options, currentCount);
    if (problems.length > 0) throw rokvError('PUBLISH_REFUSED', snapshot, problems.join('; '));
    if (!existed) placed = await place(staging, target);
    const listed = (index: RootIndex): RootIndex =>
      index.versions.some((v) => v.id === id)
        ? index
        : { ...index, versions: [...index.versions, { id, publishedAt: new Date().toISOString() }] };
    // Listing and making current is one index write; the check is the full verification above.
    if (activate)
      await switchVersion(
        root,
        (index) => withCurrent(listed(index), root, id),
        async () => undefined,
      );
    else await updateRootIndex(root, listed);
  } catch (err) {
    // A refused --move gives the snapshot back where it was; a refused copy is just dropped.
    if (placed) await removeVersionDir(target);
    else if (renamed) await rename(staging, snapshot).catch(() => undefined);
    else if (!existed) await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const removed = await pruneVersions(root, options.keep ?? 3);
  return { id, count: manifest.count, activated: activate, existed, removed };
}

/**
 * Renames the verified staging directory to its version directory; true when it did. The same
 * content may already be there (a concurrent publish, or one that died before updating the index):
 * then that copy, if intact, is the version and the staging copy goes.
 */
async function place(staging: string, target: string): Promise<boolean> {
  try {
    await rename(staging, target);
    await sealReadOnly(target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  try {
    await verifySnapshot(target);
  } catch {
    // A damaged leftover: replace it with the copy just verified.
    await removeVersionDir(target);
    await rename(staging, target);
    await sealReadOnly(target);
    return true;
  }
  await rm(staging, { recursive: true, force: true });
  return false;
}

/** Copies or moves the snapshot to `staging`; true when it was moved by a rename. */
async function bringIn(snapshot: string, staging: string, files: string[], move: boolean): Promise<boolean> {
  if (move) {
    try {
      await rename(snapshot, staging);
      return true;
    } catch (err) {
      // Another filesystem: fall back to a copy, and remove the source only once the copy is whole.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
  }
  await mkdir(staging, 0o755);
  for (const name of [...files, MANIFEST_FILE]) {
    await copyFile(join(snapshot, name), join(staging, name), constants.COPYFILE_EXCL);
  }
  if (move) await rm(snapshot, { recursive: true, force: true });
  return false;
}

/** Makes version `id` current after verifying it in full; returns the new index. */
export async function activateVersion(root: string, id: string): Promise<RootIndex> {
  const verify = (version: string) => verifySnapshot(versionDir(root, version));
  return (await switchVersion(root, (index) => withCurrent(index, root, id), verify)).index;
}

/** Goes back to the version that was current before, after verifying it; returns the new index. */
export async function rollbackVersion(root: string): Promise<RootIndex> {
  const verify = (version: string) => verifySnapshot(versionDir(root, version));
  return (await switchVersion(root, (index) => withRollback(index, root), verify)).index;
}

/**
 * Removes versions beyond the `keep` most recently published, never the current one nor any a
 * running server holds open (those go on a later prune).
 * Also clears temporary directories left by publishes that died half way.
 */
export async function pruneVersions(root: string, keep: number): Promise<string[]> {
  await removeStaleStaging(root);
  let gone = new Set<string>();
  await updateRootIndex(root, async (index) => {
    const leases = await leasedVersions(root);
    if (!leases.complete) return index;
    const recent = new Set(index.versions.slice(-Math.max(1, keep)).map((v) => v.id));
    gone = new Set(
      index.versions
        .filter((v) => !recent.has(v.id) && v.id !== index.current && !leases.versions.has(v.id))
        .map((v) => v.id),
    );
    if (gone.size === 0) return index;
    // The index forgets them first: a server reading it meanwhile never points at a half-deleted one.
    return {
      ...index,
      versions: index.versions.filter((v) => !gone.has(v.id)),
      history: index.history.filter((h) => !gone.has(h)),
    };
  });
  for (const id of gone) await removeVersionDir(versionDir(root, id));
  return [...gone];
}

async function removeStaleStaging(root: string): Promise<void> {
  const dir = join(root, 'versions');
  for (const name of await readdir(dir)) {
    const m = /^\..+\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
    if (m && !isAlive(Number(m[1]))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

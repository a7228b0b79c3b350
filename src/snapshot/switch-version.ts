import { rokvError } from '../errors.js';
import { readRootIndex, updateRootIndex, type RootIndex } from './versions.js';

/** What a switch did: the index written, the version now current, and what `check` returned for it. */
export interface Switched<T> {
  index: RootIndex;
  version: string;
  previous: string | null;
  checked: T;
}

/**
 * The one way the current version of a data root changes (publish, activate, rollback, a server's
 * admin call): `next` says what the index becomes, `check` proves the version it makes current
 * (verifies it, or opens it for serving) outside the lock, then the pointer is swapped under the
 * lock, compare-and-swap: if the pointer moved meanwhile so that `next` now names another version,
 * nothing is written (ROOT_CHANGED) and `discard` gets what `check` returned.
 */
export async function switchVersion<T>(
  root: string,
  next: (index: RootIndex) => RootIndex,
  check: (version: string) => Promise<T>,
  discard: (checked: T, version: string) => Promise<void> = async () => undefined,
): Promise<Switched<T>> {
  const before = await readRootIndex(root);
  const version = next(before).current;
  if (version === null) throw rokvError('ROOT_INVALID', root, 'the switch names no version');
  const checked = await check(version);
  let previous: string | null = null;
  try {
    const index = await updateRootIndex(root, (index) => {
      const moved = next(index);
      if (moved.current !== version) throw rokvError('ROOT_CHANGED', root);
      previous = index.current;
      return moved;
    });
    return { index, version, previous, checked };
  } catch (err) {
    await discard(checked, version);
    throw err;
  }
}

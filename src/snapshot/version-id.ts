/** A version id: the first 16 hex digits of the content checksum (see idFromChecksum in checksum.ts). */
const VERSION_ID = /^[0-9a-f]{16}$/;

/**
 * True for a version id. Ids name directories of a data root, Redis keys and a response header,
 * so nothing else passes: no path separators, no dots, no CR/LF.
 */
export function isVersionId(id: unknown): id is string {
  return typeof id === 'string' && VERSION_ID.test(id);
}

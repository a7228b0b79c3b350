import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ManifestFile } from './manifest.js';

/** Describes one file of a snapshot directory (size and sha256) for its manifest. */
export async function describeFile(dir: string, name: string): Promise<ManifestFile> {
  const path = join(dir, name);
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  const { size } = await stat(path);
  return { name, bytes: size, sha256: hash.digest('hex') };
}

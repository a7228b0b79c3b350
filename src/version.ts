import { readFileSync } from 'node:fs';

/** rokv's own version, read once from its package.json. */
export const ROKV_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

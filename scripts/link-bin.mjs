// npm links the binaries of dependencies into node_modules/.bin, never the project's own. Tools that
// run from a checkout (the shared benchmark, `npx rokv`) expect ./node_modules/.bin/rokv: link it.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'main.js');
const link = join(root, 'node_modules', '.bin', 'rokv');
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(dirname(link), target), link);
chmodSync(target, 0o755);

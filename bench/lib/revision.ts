import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORK_DIR } from './dataset.js';

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));

/** The full commit id `rev` names in this checkout's repository; throws a one-line error when it names none. */
export function resolveRevision(rev: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: CHECKOUT })
      .toString()
      .trim();
  } catch {
    throw new Error(`${rev} names no commit of this repository (expected a branch, tag or commit id)`);
  }
}

/**
 * A compiled build of commit `rev` in WORK_DIR/rev-<commit> (made once, then reused): the tree from
 * `git archive`, this checkout's node_modules, TypeScript compiled by this checkout's compiler and the
 * native batch reader built from the revision's own C source, so both sides of an A/B run read
 * batches the same way. Returns its `dist/main.js`.
 */
export function buildRevision(rev: string): { commit: string; main: string } {
  const commit = resolveRevision(rev);
  const dir = join(WORK_DIR, `rev-${commit}`);
  const main = join(dir, 'dist', 'main.js');
  if (existsSync(main)) return { commit, main };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const tar = execFileSync('git', ['archive', commit], { cwd: CHECKOUT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', tmp], { input: tar });
  symlinkSync(join(CHECKOUT, 'node_modules'), join(tmp, 'node_modules'));
  const tsc = join(CHECKOUT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: tmp, stdio: 'inherit' });
  if (existsSync(join(tmp, 'scripts', 'build-native.mjs'))) {
    execFileSync(process.execPath, ['scripts/build-native.mjs', '--strict'], { cwd: tmp, stdio: 'inherit' });
  }
  renameSync(tmp, dir);
  return { commit, main };
}

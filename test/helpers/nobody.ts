import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { REPO, ROKV_BIN, type Launch } from './binary.js';
import { tempDir } from './tmp.js';

/** The uid and gid of `nobody`. */
export const NOBODY = '65534';

/** Why rokv cannot run as `nobody` here, or undefined when it can (root, with mount namespaces and setpriv). */
export function nobodyUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create a mount namespace and switch to nobody';
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'unshare -m or setpriv is not available';
  }
}

/** True when every directory above `path` lets other users through (mode o+x). */
function othersCanReach(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/** Lets `nobody` read `dir` and enter its parent (mkdtemp makes 0700 directories; root ignores modes). */
export async function openToNobody(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  await chmod(dirname(dir), 0o755);
}

/**
 * Runs the binary as `nobody` from a private mount namespace in which the checkout (and Node, when it
 * lives where others cannot enter) is bound read-only under a fresh directory anyone can reach: the
 * clone itself may sit in a directory other users cannot enter (mktemp -d, /root), and a test must
 * not depend on where it lives. `readOnly` paths are bound read-only over themselves, and a write
 * probe proves every bound path is read-only before the switch to `nobody`.
 */
export async function asNobody(readOnly: string[] = []): Promise<Launch> {
  const top = await tempDir('rokv-nobody-');
  await chmod(top, 0o755);
  const repo = join(top, 'repo');
  await mkdir(repo, { mode: 0o755 });
  const binds: [string, string][] = [[REPO, repo], ...readOnly.map((p): [string, string] => [p, p])];
  let node = process.execPath;
  if (!othersCanReach(node)) {
    // Node's own directory (bin/node beside lib/), bound whole: the binary finds nothing outside it.
    const home = dirname(dirname(node));
    const mounted = join(top, 'node');
    await mkdir(mounted, { mode: 0o755 });
    binds.push([home, mounted]);
    node = join(mounted, relative(home, node));
  }
  const bin = join(repo, relative(REPO, ROKV_BIN));
  const script = [
    'set -e',
    'mount --make-rprivate /',
    ...binds.map(([from, to]) => `mount --bind -o ro "${from}" "${to}"`),
    ...binds.map(
      ([, to]) => `if touch "${to}/.rokv-probe" 2>/dev/null; then echo "${to} is writable" >&2; exit 97; fi`,
    ),
    `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups "$@"`,
  ].join('\n');
  return { wrapper: ['unshare', '-m', 'sh', '-c', script, 'rokv'], node, bin };
}

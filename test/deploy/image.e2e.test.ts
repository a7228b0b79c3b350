import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { post } from '../helpers/binary.js';
import { eventually } from '../helpers/processes.js';

/**
 * The Dockerfile built and run for real with Debian's buildah (no Docker engine runs here), on a base
 * image made on this machine under the name its FROM asks for (test/helpers/podman-base.sh:
 * debootstrap, Node from the npm registry). Build and run use buildah's chroot isolation: podman's OCI
 * runtime (crun) cannot start a container in this sandbox (setrlimit is refused without
 * CAP_SYS_RESOURCE). The container shares the host's network; rokv binds loopback. Skips, saying
 * why, where buildah, podman or debootstrap is missing.
 */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE_KEY = '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8';
const IMAGE = 'localhost/rokv-test:latest';
const PORT = 18000 + (process.pid % 1000);

const missing = ['buildah', 'podman', 'debootstrap'].filter(
  (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0,
);
const skip =
  missing.length === 0 ? false : `${missing.join(', ')} not installed (apt-get install buildah podman debootstrap)`;
if (skip) console.log(`# skipping the container image's test: ${skip}`);

function run(args: string[], timeoutMs = 60_000): string {
  const r = spawnSync(args[0]!, args.slice(1), { cwd: REPO, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(r.status, 0, `${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

describe('the container image', { skip }, () => {
  const containers: string[] = [];
  let server: ChildProcess | undefined;
  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    for (const c of containers) spawnSync('buildah', ['rm', c]);
  });

  test('builds from the Dockerfile and serves the example as the node user, its HEALTHCHECK passing', async () => {
    const major = /^FROM node:(\d+)-bookworm-slim AS/m.exec(readFileSync(`${REPO}/Dockerfile`, 'utf8'))![1]!;
    run(['bash', 'test/helpers/podman-base.sh', major], 20 * 60_000);
    // Docker's format keeps the HEALTHCHECK (OCI's config has no such field).
    run(
      ['buildah', 'bud', '--layers', '--isolation', 'chroot', '--pull-never', '--format', 'docker', '-t', IMAGE, '.'],
      30 * 60_000,
    );
    const config = JSON.parse(run(['buildah', 'inspect', '--type', 'image', IMAGE])) as {
      Docker: {
        config: {
          Entrypoint: string[];
          Cmd: string[];
          User: string;
          StopSignal: string;
          Healthcheck: { Test: string[] };
        };
      };
    };
    const { Entrypoint, Cmd, User, StopSignal, Healthcheck } = config.Docker.config;
    assert.equal(User, 'node');
    const container = run(['buildah', 'from', '--pull-never', IMAGE]);
    containers.push(container);
    const inImage = (args: string[], env: string[] = []): string[] => [
      'run',
      '--isolation',
      'chroot',
      '--user',
      User,
      ...env.flatMap((e) => ['--env', e]),
      container,
      '--',
      ...args,
    ];
    const version = run(['node', 'dist/main.js', '--version']);
    assert.equal(run(['buildah', ...inImage([...Entrypoint, '--version'])]), version);
    assert.equal(run(['buildah', ...inImage(['rokv', '--version'])]), version, 'rokv is on PATH');

    const env = [`PORT=${PORT}`, 'HOST=127.0.0.1'];
    server = spawn('buildah', inImage([...Entrypoint, ...Cmd], env), { stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    server.stdout!.setEncoding('utf8').on('data', (c: string) => (logs += c));
    server.stderr!.setEncoding('utf8').on('data', (c: string) => (logs += c));
    const url = `http://127.0.0.1:${PORT}`;
    const ready = await eventually(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
      60_000,
    );
    assert.ok(ready, `the image's server never became ready:\n${logs}`);
    assert.deepEqual(await post(`${url}/get_value`, { key: EXAMPLE_KEY }), {
      status: 200,
      body: { value: 'cqovg yqumexwdn ijwfwc' },
    });
    assert.equal(Healthcheck.Test[0], 'CMD');
    run(['buildah', ...inImage(Healthcheck.Test.slice(1), env)]);

    // `buildah run` kills its process on SIGTERM instead of passing it on, so the drain on SIGTERM is
    // shown on the binary (test/attack/shutdown.e2e.test.ts); here, that the image sends SIGTERM.
    assert.equal(StopSignal, 'SIGTERM');
  });
});

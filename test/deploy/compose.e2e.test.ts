import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { delimiter, dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureExampleSnapshot } from '../../src/cli/example-data.js';
import {
  dependencies,
  effectiveCommand,
  effectiveEnv,
  readCompose,
  readDockerfile,
  startOrder,
  type ComposeService,
} from '../helpers/containers.js';
import { post } from '../helpers/binary.js';
import { eventually } from '../helpers/processes.js';
import { redisAvailable } from '../helpers/redis-cluster.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * docker-compose.yml without a Docker engine: every service's effective command (the Dockerfile's
 * ENTRYPOINT and CMD with the service's entrypoint/command, by compose's rules) and environment (the
 * image's ENV and the service's) run against the local build, whose layout is the image's /app, in the
 * order depends_on gives, each waiting for its dependencies' conditions. What is emulated: the Redis
 * image is Debian's redis-server; a container's own network is a loopback port (service names in
 * the environment point there, and each rokv gets PORT=0, HOST=127.0.0.1 instead of the image's 8080).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const services = readCompose(join(ROOT, 'docker-compose.yml'));
const image = readDockerfile(join(ROOT, 'Dockerfile'));
const EXAMPLE_KEY = '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8';
const REDIS_PORT = 6379;

const built = (s: ComposeService): boolean => s.build !== undefined;
const rokvServers = Object.entries(services).filter(([, s]) => built(s) && effectiveCommand(s, image)[2] === 'serve');

describe('docker-compose.yml', () => {
  test('runs rokv itself in every service built from the Dockerfile (the ENTRYPOINT, or a shell that runs it)', () => {
    assert.deepEqual(image.entrypoint, ['node', 'dist/main.js']);
    for (const [name, s] of Object.entries(services).filter(([, s]) => built(s))) {
      const argv = effectiveCommand(s, image);
      const rokv = argv[0] === 'sh' ? argv.at(-1)! : argv.join(' ');
      assert.match(rokv, /^(exec )?node dist\/main\.js (serve|load) /, `${name} runs ${JSON.stringify(argv)}`);
    }
  });

  test('publishes every replica on loopback at the port the image listens on', () => {
    assert.ok(rokvServers.length >= 2, 'two replicas or more');
    const hostPorts = rokvServers.flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => {
        const [host, hostPort, containerPort] = p.split(':');
        assert.equal(host, '127.0.0.1', `${name} publishes ${p} beyond loopback`);
        assert.equal(containerPort, effectiveEnv(s, image).PORT, `${name} publishes ${p}`);
        return hostPort;
      }),
    );
    assert.equal(new Set(hostPorts).size, rokvServers.length, `one host port per replica: ${hostPorts.join(', ')}`);
    for (const [name, s] of rokvServers) assert.equal(s.read_only, true, `${name} runs on a read-only filesystem`);
  });

  const skip = redisAvailable() ? false : 'redis-server is not installed (.ci/run installs it)';
  test(
    'starts in depends_on order against a real Redis, and both replicas answer and follow a new load',
    { skip },
    async () => {
      const scratch = await tempDir('rokv-compose-');
      // What the image's build stage leaves in /app/data; the local build's data/ holds the same.
      await ensureExampleSnapshot();
      const redisPort = await freePort();
      const network: Record<string, string> = { [`redis:${REDIS_PORT}`]: `127.0.0.1:${redisPort}` };
      const onNetwork = (v: string): string =>
        Object.entries(network).reduce((acc, [from, to]) => acc.replaceAll(from, to), v);

      const running = new Map<
        string,
        { child: ChildProcess; exit: Promise<number | null>; output: () => string; url?: string }
      >();
      after(async () => {
        for (const { child, exit } of running.values()) {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exit;
        }
      });
      const start = (name: string, argv: string[], env: Record<string, string>): ChildProcess => {
        // A container has the image's PATH, where `node` is the Node it was built for: here, this one.
        const path = [dirname(process.execPath), process.env.PATH].join(delimiter);
        const child = spawn(argv[0]!, argv.slice(1), {
          cwd: ROOT,
          env: { PATH: path, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, onNetwork(v)])) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
        const exit = once(child, 'exit').then(([code]) => code as number | null);
        running.set(name, { child, exit, output: () => output });
        return child;
      };

      const conditionMet: Record<string, (dep: string) => Promise<void>> = {
        service_started: async () => {},
        service_healthy: async (dep) => {
          const check = services[dep]!.healthcheck!.test;
          assert.deepEqual(check.slice(0, 3), ['CMD', 'redis-cli', 'ping'], `${dep}'s health check`);
          const ok = await eventually(
            () =>
              spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], {
                encoding: 'utf8',
                timeout: 10_000,
              }).stdout.trim() === 'PONG',
            30_000,
          );
          assert.ok(ok, `${dep} never became healthy`);
        },
        service_completed_successfully: async (dep) => {
          const { exit, output } = running.get(dep)!;
          assert.equal(await exit, 0, `${dep} failed:\n${output()}`);
          assert.match(output(), /ok: version \S+ \(10000 pairs\) is active/);
        },
      };

      for (const name of startOrder(services)) {
        const s = services[name]!;
        for (const [dep, condition] of dependencies(s)) {
          assert.ok(conditionMet[condition], `${name} waits for ${dep} with an unknown condition ${condition}`);
          await conditionMet[condition](dep);
        }
        if (!built(s)) {
          assert.match(s.image ?? '', /^redis:/, `${name}: only the redis image is emulated`);
          const argv = effectiveCommand(s, { ...image, entrypoint: [] });
          assert.equal(argv[0], 'redis-server');
          start(name, [...argv, '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', scratch], {});
          continue;
        }
        const argv = effectiveCommand(s, image);
        const env = effectiveEnv(s, image);
        if (argv[2] !== 'serve') {
          start(name, argv, env);
          continue;
        }
        const child = start(name, argv, { ...env, PORT: '0', HOST: '127.0.0.1' });
        running.get(name)!.url = await announcedUrl(name, child);
      }

      const replicas = rokvServers.map(([name]) => running.get(name)!.url!);
      for (const url of replicas) {
        assert.deepEqual(await post(`${url}/get_value`, { key: EXAMPLE_KEY }), {
          status: 200,
          body: { value: 'cqovg yqumexwdn ijwfwc' },
        });
        // The image's HEALTHCHECK, run as Docker runs it inside the container.
        const port = new URL(url).port;
        const health = spawnSync(image.healthcheck![0]!, image.healthcheck!.slice(1), {
          env: { ...process.env, PORT: port },
          timeout: 30_000,
        });
        assert.equal(health.status, 0, `the HEALTHCHECK failed against ${url}: ${String(health.stderr)}`);
      }

      // The file's own recipe for another data set: `docker compose run --rm --no-deps rokv-1 load SNAPSHOT`.
      const next = await snapshotOf({ [EXAMPLE_KEY]: 'from the second load' });
      const replica = rokvServers[0]![1];
      start(
        'load-again',
        effectiveCommand({ ...replica, command: ['load', next] }, image),
        effectiveEnv(replica, image),
      );
      assert.equal(
        await running.get('load-again')!.exit,
        0,
        `loading ${next} failed:\n${running.get('load-again')!.output()}`,
      );
      for (const url of replicas) {
        const switched = await eventually(
          async () =>
            JSON.stringify((await post(`${url}/get_value`, { key: EXAMPLE_KEY })).body) ===
            '{"value":"from the second load"}',
          30_000,
        );
        assert.ok(switched, `${url} still serves the first load`);
      }
    },
  );
});

/** Waits for a `rokv serve` to log the address it listens on. */
async function announcedUrl(name: string, child: ChildProcess): Promise<string> {
  let out = '';
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s:\n${out}`)), 60_000);
    const onData = (chunk: string): void => {
      out += chunk;
      const m = /"address":"(https?:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before serving:\n${out}`));
    });
  });
}

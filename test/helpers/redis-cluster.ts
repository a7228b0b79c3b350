import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePortRun } from './ports.js';
import { tempDir } from './tmp.js';

/** True when Debian's redis-server and redis-cli are installed (`.ci/run` installs them). */
export function redisAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => spawnSync(bin, ['--version']).status === 0);
}

/** One redis-server process of a test cluster. */
export interface RedisNode {
  port: number;
  process: ChildProcess;
}

/** A Redis Cluster running on loopback for one test file. */
export interface RedisCluster {
  nodes: RedisNode[];
  /** `redis-cluster://127.0.0.1:P1,...`, the URL `rokv serve --store` and `rokv load --store` take. */
  url: string;
  /** Runs redis-cli against one node and returns its trimmed output. */
  cli(port: number, ...args: string[]): string;
  /** For each of the 16384 hash slots, the port of the live master serving it (0 for none). */
  slotOwners(): number[];
  /** Ports of the live masters that have a live replica to take over from them. */
  mastersWithReplica(): number[];
  /** Kills one node with SIGKILL, as a crash would. */
  kill(port: number): Promise<void>;
  /** Waits until every node still running reports cluster_state:ok and every slot has a live master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
}

function cli(port: number, ...args: string[]): string {
  const res = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    input: '',
    timeout: 10_000,
  });
  return `${res.stdout}`.trim();
}

/**
 * Starts a 3-master, 3-replica Redis Cluster on free loopback ports drawn at random (so concurrent
 * test runs on one machine do not meet) in a temp directory and waits until it serves every slot.
 * Every node is killed when the test file ends. `nodeTimeoutMs` is short so failover tests finish in
 * seconds. `cleanup` registers the tear-down: node:test's after() in tests; a benchmark passes its own.
 */
export async function startRedisCluster(
  nodeTimeoutMs = 1000,
  cleanup: (fn: () => Promise<void>) => void = after,
): Promise<RedisCluster> {
  const dir = cleanup === after ? await tempDir('rokv-redis-') : await mkdtemp(join(tmpdir(), 'rokv-redis-'));
  if (cleanup !== after) cleanup(() => rm(dir, { recursive: true, force: true }));
  const nodes: RedisNode[] = [];
  cleanup(() => stopAll(nodes));
  let ports: number[] = [];
  // The ports were free when drawn; another process can still take one before redis-server binds it,
  // and then that node exits at once: start again on other ports.
  for (let attempt = 1; ports.length === 0; attempt++) {
    const drawn = await freePortRun(6, BUS_PORT_OFFSET);
    for (const port of drawn)
      nodes.push({ port, process: startNode(port, join(dir, `${attempt}-${port}`), nodeTimeoutMs) });
    const started = await allAnswer(nodes);
    if (started) ports = drawn;
    else {
      await stopAll(nodes);
      nodes.length = 0;
      if (attempt === 5) throw new Error(`redis-server did not start on ${drawn.join(', ')} after ${attempt} attempts`);
    }
  }
  const create = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (create.status !== 0) {
    // A failure here can end the test file before its after() hooks run: stop the servers now so
    // none outlives the run and holds the ports against the next one.
    for (const n of nodes) n.process.kill('SIGKILL');
    throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
  }

  const alive = (): RedisNode[] => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  const cluster: RedisCluster = {
    nodes,
    url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    cli,
    slotOwners() {
      const owners = new Array<number>(16384).fill(0);
      for (const line of cli(alive()[0]!.port, 'cluster', 'nodes').split('\n')) {
        const [, addr, flags, , , , , state, ...ranges] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail') || state !== 'connected') continue;
        const port = Number(addr!.split(':')[1]!.split('@')[0]);
        for (const r of ranges) {
          const [lo, hi = lo] = r.split('-').map(Number);
          for (let slot = lo!; slot <= hi!; slot++) owners[slot] = port;
        }
      }
      return owners;
    },
    mastersWithReplica() {
      const rows = cli(alive()[0]!.port, 'cluster', 'nodes')
        .split('\n')
        .map((line) => line.split(' '));
      const ok = (flags: string | undefined): boolean => !flags?.includes('fail');
      const withReplica = new Set(rows.filter((r) => r[2]?.includes('slave') && ok(r[2])).map((r) => r[3]));
      return rows
        .filter((r) => r[2]?.includes('master') && ok(r[2]) && withReplica.has(r[0]))
        .map((r) => Number(r[1]!.split(':')[1]!.split('@')[0]));
    },
    async kill(port) {
      const node = nodes.find((n) => n.port === port)!;
      const exited = once(node.process, 'exit');
      node.process.kill('SIGKILL');
      await exited;
    },
    async waitHealthy(timeoutMs = 30_000) {
      await waitFor(
        () => alive().every((n) => /cluster_state:ok/.test(cli(n.port, 'cluster', 'info'))),
        timeoutMs,
        'the cluster to report cluster_state:ok',
      );
    },
  };
  await cluster.waitHealthy();
  return cluster;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

// A Redis Cluster node's bus port is its port + 10000: it must be free too.
const BUS_PORT_OFFSET = 10_000;

function startNode(port: number, nodeDir: string, nodeTimeoutMs: number): ChildProcess {
  mkdirSync(nodeDir, { recursive: true });
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      nodeDir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(nodeDir, 'nodes.conf'),
      '--cluster-node-timeout',
      String(nodeTimeoutMs),
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: 'ignore' },
  );
}

/** Waits until every node answers PING; false as soon as one of them has exited (its port was taken). */
async function allAnswer(nodes: RedisNode[]): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  for (const { port, process: child } of nodes) {
    while (cli(port, 'ping') !== 'PONG') {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      if (Date.now() > deadline) throw new Error(`redis on ${port} did not answer PING in 30 s`);
      await sleep(100);
    }
  }
  return true;
}

async function stopAll(nodes: RedisNode[]): Promise<void> {
  for (const n of nodes) {
    if (n.process.exitCode === null && n.process.signalCode === null) {
      const exited = once(n.process, 'exit');
      n.process.kill('SIGKILL');
      await exited;
    }
  }
}

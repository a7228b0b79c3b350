import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port free right now, picked by the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** True when nothing listens on `port` on loopback right now. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) {
      server.close();
      await once(server, 'close');
    }
  }
}

/**
 * `count` consecutive loopback ports, each free together with the port `also` above it (a Redis
 * Cluster node's bus port is its port + 10000), drawn at random so that concurrent test runs on one
 * machine do not meet. Free when checked: a caller still handles losing a race for one of them.
 */
export async function freePortRun(count: number, also = 0): Promise<number[]> {
  const low = 20_000;
  const high = 65_535 - also - count;
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const wanted = also === 0 ? ports : [...ports, ...ports.map((p) => p + also)];
    const free = await Promise.all(wanted.map(portIsFree));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`found no ${count} consecutive free loopback ports in 100 attempts`);
}

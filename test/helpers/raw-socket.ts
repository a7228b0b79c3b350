import { connect, type Socket } from 'node:net';

/**
 * How long a raw connection may stay open before the helper closes it: far beyond any answer on a
 * loaded machine, so only a server that never answers nor closes meets it (and then the test fails
 * on what it did not receive instead of hanging).
 */
const DEADLINE_MS = 30_000;

/** A raw TCP connection to a test server, with everything it received and when it closed. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far. */
  readonly received: () => Buffer;
  /** Resolves with everything received once the connection has closed (by either side or the deadline). */
  readonly closed: Promise<Buffer>;
  /** When the connection closed (Date.now()); undefined while it is open. */
  readonly closedAt: number | undefined;
}

/**
 * Opens a connection to a test server (a port on 127.0.0.1, or the host and port of a URL) and waits
 * until it is connected or already closed. Socket errors end the connection like a close: what was
 * received counts. It is destroyed after `deadlineMs` at the latest.
 */
export async function openRaw(target: number | string | URL, deadlineMs = DEADLINE_MS): Promise<RawConnection> {
  const url = typeof target === 'number' ? undefined : new URL(target);
  const socket = url === undefined ? connect(target as number, '127.0.0.1') : connect(Number(url.port), url.hostname);
  const chunks: Buffer[] = [];
  let closedAt: number | undefined;
  const deadline = setTimeout(() => socket.destroy(), deadlineMs).unref();
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<Buffer>((resolve) =>
    socket.once('close', () => {
      closedAt = Date.now();
      clearTimeout(deadline);
      resolve(Buffer.concat(chunks));
    }),
  );
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closed,
    get closedAt() {
      return closedAt;
    },
  };
}

/** Sends `bytes` on a new connection, ends its side, and resolves with everything the server answered. */
export async function exchangeRaw(target: number | string | URL, bytes: string | Buffer): Promise<Buffer> {
  const connection = await openRaw(target);
  connection.socket.end(bytes);
  return connection.closed;
}

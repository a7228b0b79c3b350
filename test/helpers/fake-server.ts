import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

/** A request as a fake server saw it, body read in full. */
export interface SeenRequest {
  method: string;
  url: string;
  body: string;
}

/** A tiny node:http server on loopback, for behaviours a real rokv never shows (lies, resets, stalls). */
export interface FakeServer {
  url: string;
  seen: SeenRequest[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts a node:http server on 127.0.0.1 (free port) calling `handler` with each request's body read;
 * it is closed, open connections included, when the test file ends.
 */
export async function startFakeServer(
  handler: (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => void,
): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((raw, res) => {
    let body = '';
    raw.setEncoding('utf8').on('data', (c: string) => (body += c));
    raw.on('end', () => {
      const req = { method: raw.method ?? '', url: raw.url ?? '', body };
      seen.push(req);
      handler(req, res, raw);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  after(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close };
}

/** Answers `res` with `status` and a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

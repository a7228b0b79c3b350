/**
 * What rokv uses of Bun's own API (Bun.serve and its server), declared here: Bun's type package
 * redeclares Node's globals, so it is not installed. Nothing here runs on Node but `onBun()`.
 */
/** Bun's server, as far as the front uses it. */
export interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
  requestIP(request: Request): { address: string; family: string; port: number } | null;
  unref(): void;
  ref(): void;
}

/** A request handler of Bun.serve. */
type BunHandler = (request: Request, server: BunServer) => Response | Promise<Response>;

/** The options of `Bun.serve` the front sets. */
interface BunServeOptions {
  port: number;
  hostname: string;
  reusePort: boolean;
  idleTimeout: number;
  maxRequestBodySize: number;
  development: false;
  /** Handlers by exact path and method, matched in Bun's native router before `fetch` (the query ignored). */
  routes: Record<string, Partial<Record<string, BunHandler>>>;
  fetch(request: Request, server: BunServer): Response | Promise<Response>;
  error(err: Error): Response;
}

/** Bun's Request reads its body into a Uint8Array without an ArrayBuffer wrapper of its own. */
export interface BunRequest extends Request {
  bytes(): Promise<Uint8Array>;
}

interface BunRuntime {
  serve(options: BunServeOptions): BunServer;
}

/** `Bun` when running on Bun, else undefined. */
export function bun(): BunRuntime | undefined {
  return (globalThis as { Bun?: BunRuntime }).Bun;
}

/** True when this process runs on Bun: the data routes can then be answered by Bun.serve. */
export function onBun(): boolean {
  return bun() !== undefined;
}

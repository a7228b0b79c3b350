import type { ServeConfig } from '../config.js';

/** The limits every port of a server (main and admin) holds its connections to. */
export type ConnectionLimits = Pick<
  ServeConfig,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'
>;

/** node:http's server options for the header timeout. */
export function nodeTimeouts(config: Pick<ServeConfig, 'headersTimeoutMs'>): {
  headersTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    headersTimeout: config.headersTimeoutMs,
    // Node checks header and request timeouts on this timer (30 s by default): too coarse to stop slowloris.
    connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
  };
}

import { pino, type Logger } from 'pino';
import type { ServeConfig } from '../config.js';

/** The process logger: JSON lines on stdout through pino, the logger Fastify uses too. */
export function createLogger(config: Pick<ServeConfig, 'logLevel'>, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: config.logLevel,
    base: { pid: process.pid, ...bindings },
    // API keys must never reach a log, whatever object a log call is handed.
    redact: ['req.headers.authorization', 'headers.authorization', 'request.headers.authorization'],
  });
}

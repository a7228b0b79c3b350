import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { ApiKeys } from './api-keys.js';
import { registerAuth } from './auth.js';
import { registerLoadShedding, registerRateLimit } from './limits.js';

/** The configuration the request hooks are chosen by. */
export interface HookConfig {
  corsOrigins: readonly string[];
  maxEventLoopLagMs?: number | undefined;
  rateLimit?: number | undefined;
  authOps?: boolean | undefined;
  apiKeys?: ApiKeys | undefined;
}

/** A hook the app adds to every request when its option is on. */
export interface RequestHook {
  name: string;
  /** Whether `config` turns the hook on. */
  on(config: HookConfig): boolean;
  install(app: FastifyInstance, config: HookConfig): void;
}

/**
 * Every hook the app may run on a request, in the order they run. The one table both the app's
 * hook registration and the fast lane's gate read: the lane skips Fastify's hooks, so it runs only
 * when none of these is on (test/http/request-hooks.test.ts walks them).
 */
export const REQUEST_HOOKS: readonly RequestHook[] = [
  {
    name: 'CORS',
    on: (c) => c.corsOrigins.length > 0,
    install: (app, c) => void app.register(cors, { origin: [...c.corsOrigins] }),
  },
  {
    name: 'load shedding',
    on: (c) => (c.maxEventLoopLagMs ?? 0) > 0,
    install: (app, c) => registerLoadShedding(app, c.maxEventLoopLagMs!),
  },
  {
    name: 'rate limiting',
    on: (c) => (c.rateLimit ?? 0) > 0,
    install: (app, c) => registerRateLimit(app, c.rateLimit!),
  },
  {
    // After the plugins above load, so shedding and rate limiting run first: a flood of keyless
    // or key-guessing requests is limited before any key is hashed.
    name: 'API keys',
    on: (c) => c.apiKeys !== undefined,
    install: (app, c) => void app.after(() => registerAuth(app, c.apiKeys!, c.authOps === true)),
  },
];

/** The request hooks `config` turns on. */
export function hooksOn(config: HookConfig): RequestHook[] {
  return REQUEST_HOOKS.filter((hook) => hook.on(config));
}

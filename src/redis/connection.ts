// ioredis clients built from the pool's RedisConfig. Commands never wait in ioredis' own unbounded offline queue:
// while Redis is away they fail at once, and the share recorder keeps its own bounded, visible queue instead.
import { Redis } from 'ioredis';
import type { RedisConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';

export interface RedisConnectionOptions {
  /** Shown in CLIENT LIST and in log lines, e.g. "pool-worker-0". */
  readonly name: string;
  readonly logger: Logger;
  /** Milliseconds to establish a TCP connection. */
  readonly connectTimeoutMs?: number;
  /** Milliseconds before one command is abandoned (the command may still run on the server). */
  readonly commandTimeoutMs?: number;
  /** Longest pause between reconnect attempts. */
  readonly maxReconnectDelayMs?: number;
}

/** Exponential backoff with jitter, so many workers do not reconnect in lockstep. */
export function reconnectDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 100 * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Where a config points, for log lines: the socket path or host:port. */
export function redisEndpoint(config: RedisConfig): string {
  return config.socket ?? `${config.host}:${config.port}`;
}

/**
 * A client that connects in the background and keeps reconnecting with backoff. Call `redis.connect()` (or wait
 * for 'ready') before expecting commands to succeed; until then they fail fast.
 */
export function createRedisClient(config: RedisConfig, options: RedisConnectionOptions): Redis {
  const log = options.logger.child({ component: 'redis', redis: `${redisEndpoint(config)}/${config.db}` });
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const client = new Redis({
    ...(config.socket !== null ? { path: config.socket } : { host: config.host, port: config.port }),
    password: config.password ?? undefined,
    db: config.db,
    connectionName: options.name,
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 3000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    enableOfflineQueue: false,
    // In-flight commands of a dropped connection fail rather than being resent behind our back: the recorder
    // resends them itself, in order, with the operation numbers that make a resend harmless.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    // The share recorder already sends one command per event-loop turn (record-shares carries the turn's shares),
    // so auto-pipelining has nothing left to merge and only adds its per-command bookkeeping.
    enableAutoPipelining: false,
    retryStrategy: (attempt) => reconnectDelay(attempt, maxDelay),
  });

  // 'error' fires on every failed reconnect attempt: log the first of a run and the recovery, not each attempt.
  let down = false;
  let downSince = 0;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    downSince = Date.now();
    log.warn(`redis unavailable: ${err.message}`);
  });
  client.on('close', () => {
    // A deliberate disconnect() moves the status to 'end' right after 'close': nothing to report then.
    setImmediate(() => {
      if (down || client.status === 'end') return;
      down = true;
      downSince = Date.now();
      log.warn('redis connection closed; reconnecting');
    });
  });
  client.on('ready', () => {
    if (down) log.info(`redis connection ready again after ${Date.now() - downSince} ms`);
    else log.debug('redis connection ready');
    down = false;
  });
  return client;
}

/** Connects in the background: a Redis that is down at startup must not stop stratum from serving. */
export function connectInBackground(client: Redis, logger: Logger): void {
  client.connect().catch((err: Error) => {
    logger.debug(`first redis connect failed (${err.message}); retrying in the background`);
  });
}

/** Resolves once `client` is ready or `timeoutMs` has passed, whichever comes first (never rejects). */
export function readyOrTimeout(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}

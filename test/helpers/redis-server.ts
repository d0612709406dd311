// A throwaway redis-server per test file: own port, own temp dir, AOF on so a stop/start cycle keeps every
// acknowledged write (tests of "Redis goes away for 10 s" need the data back on the same port).
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressInUseError, findFreePort, retryOnAddressInUse } from './ports.js';
import {
  type CleanupRegistry,
  defaultRegistry,
  FatalWaitError,
  type LoggedProcess,
  requireBinary,
  spawnLogged,
  waitFor,
} from './processes.js';

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
const HOST = '127.0.0.1';
const ADDRESS_IN_USE = /Address already in use/i;

export interface StartRedisOptions {
  /** Fixed port; not retried on EADDRINUSE (the AddressInUseError reaches the caller). Default: a free one. */
  port?: number;
  /** Extra `--name value` pairs, e.g. ['--maxmemory', '10mb']. */
  extraArgs?: string[];
  /** How long to wait for PING after launch. */
  startTimeoutMs?: number;
  registry?: CleanupRegistry;
}

export interface RedisHandle {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:PORT, for ioredis or the product's config. */
  readonly url: string;
  /** The same server's unix socket (in its directory), for configs with `redis.socket`. */
  readonly socket: string;
  /** Working directory holding the AOF; removed by stop(). */
  readonly dir: string;
  /** pid of the currently running server (changes after startAgain()). */
  readonly pid: number;
  /** Every pid this handle ever started, for leak assertions. */
  readonly pids: readonly number[];
  readonly running: boolean;
  /** Stops the server for good and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Graceful shutdown that flushes the AOF; the directory and port are kept for startAgain(). */
  stopKeepingData(): Promise<void>;
  /** Starts again on the same port with the same data. Fails loudly if the port was taken meanwhile. */
  startAgain(): Promise<void>;
  /** stopKeepingData() then startAgain(): same port, same data, new pid. */
  restart(): Promise<void>;
  /** SIGSTOP: the port still accepts TCP connections but nothing answers (a hung server). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Last lines of server output, for assertion messages. */
  logs(lines?: number): string;
}

/** Sends one command as a RESP array and resolves with the first reply line (e.g. "+PONG"). */
export function redisCommand(port: number, args: string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const done = (err: Error | undefined, value?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? '');
    };
    const timer = setTimeout(() => {
      done(new Error(`redis ${args[0]} on ${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      const body = args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
      socket.write(`*${args.length}\r\n${body}`);
    });
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end >= 0) done(undefined, reply.slice(0, end));
    });
    socket.once('error', (err) => done(err));
    // SHUTDOWN answers by closing the connection: report what arrived (usually nothing).
    socket.once('close', () => done(undefined, reply));
  });
}

class RedisServer implements RedisHandle {
  readonly host: string = HOST;
  readonly pids: number[] = [];
  private proc: LoggedProcess | undefined;
  private removed = false;
  private frozen = false;

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: StartRedisOptions,
    private readonly registry: CleanupRegistry,
  ) {}

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  get socket(): string {
    return join(this.dir, 'redis.sock');
  }

  get pid(): number {
    if (!this.proc) throw new Error('redis-server was never started');
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc !== undefined && !this.proc.hasExited;
  }

  /** Launches redis-server and resolves once it answers PING; throws AddressInUseError on a lost port race. */
  async launch(): Promise<void> {
    if (this.removed) throw new Error(`redis on ${this.port} was stopped for good; start a new one`);
    if (this.running) throw new Error(`redis on ${this.port} is already running`);
    const args = [
      '--port', String(this.port),
      '--bind', HOST,
      '--unixsocket', this.socket,
      '--unixsocketperm', '700',
      '--dir', this.dir,
      '--save', '',
      '--appendonly', 'yes',
      '--daemonize', 'no',
      '--protected-mode', 'yes',
      '--logfile', '',
      ...(this.options.extraArgs ?? []),
    ];
    const proc = spawnLogged(REDIS_SERVER_BIN, args, {
      name: `redis:${this.port}`,
      registry: this.registry,
      alertPatterns: [ADDRESS_IN_USE],
    });
    this.proc = proc;
    this.pids.push(proc.pid);
    try {
      await waitFor(
        async () => {
          if (proc.hasExited) throw new FatalWaitError(`redis-server on ${this.port} exited during startup`);
          if (proc.alerts.length > 0) throw new FatalWaitError(`redis-server on ${this.port}: ${proc.alerts[0]}`);
          // Short probe: a server that is up answers in microseconds, while a stranger on a lost port never does.
          return (await redisCommand(this.port, ['PING'], 250)) === '+PONG';
        },
        {
          timeoutMs: this.options.startTimeoutMs ?? 10_000,
          intervalMs: 50,
          what: `redis PING on ${HOST}:${this.port}`,
        },
      );
    } catch (err) {
      await proc.stop({ graceMs: 2000 });
      if (proc.alerts.length > 0) {
        throw new AddressInUseError(`redis port ${this.port} taken: ${proc.describeTail(5)}`);
      }
      throw new Error(`${(err as Error).message}\n${proc.describeTail()}`, { cause: err });
    }
  }

  async stopKeepingData(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.hasExited) return;
    if (this.frozen) this.thaw();
    // Plain SHUTDOWN fsyncs the AOF before exiting; with `save ""` it writes no RDB.
    const exit = await proc.stop({ graceMs: 10_000, requestStop: () => this.sendShutdown(['SHUTDOWN'], 5000) });
    if (exit.signal === 'SIGKILL') {
      const why = `redis on ${this.port} ignored SHUTDOWN and was killed; its AOF may be incomplete`;
      throw new Error(`${why}\n${proc.describeTail()}`);
    }
  }

  async startAgain(): Promise<void> {
    if (this.running) throw new Error(`redis on ${this.port} is still running; call stopKeepingData() first`);
    // No retry with a new port here: the point is to come back on the same one, so a taken port is a test failure.
    await this.launch();
  }

  async restart(): Promise<void> {
    await this.stopKeepingData();
    await this.startAgain();
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc && !proc.hasExited) {
      // A frozen server would ignore SHUTDOWN and only die by SIGKILL after the grace period.
      if (this.frozen) this.thaw();
      await proc.stop({ graceMs: 5000, requestStop: () => this.sendShutdown(['SHUTDOWN', 'NOSAVE'], 2000) });
    }
    if (!this.removed) {
      this.removed = true;
      this.registry.removeDir(this.dir);
    }
  }

  /** Fire and forget: the server closes the connection as it exits, so there is no reply to wait for. */
  private sendShutdown(command: string[], timeoutMs: number): void {
    redisCommand(this.port, command, timeoutMs).catch(() => undefined);
  }

  freeze(): void {
    this.requireRunning().signalTree('SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    this.requireRunning().signalTree('SIGCONT');
    this.frozen = false;
  }

  logs(lines = 40): string {
    return this.proc ? this.proc.describeTail(lines) : '(redis-server never started)';
  }

  private requireRunning(): LoggedProcess {
    if (!this.proc || this.proc.hasExited) throw new Error(`redis on ${this.port} is not running`);
    return this.proc;
  }
}

/**
 * Starts a fresh redis-server on a free port in its own temp dir and waits until it answers PING.
 * Callers must `after(() => redis.stop())`; the cleanup registry kills it anyway if the test process dies.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  requireBinary(REDIS_SERVER_BIN, 'redis-server');
  const registry = options.registry ?? defaultRegistry();
  const start = async (port: number): Promise<RedisHandle> => {
    const dir = mkdtempSync(join(tmpdir(), `headframe-redis-${port}-`));
    registry.trackDir(dir);
    const server = new RedisServer(port, dir, options, registry);
    try {
      await server.launch();
    } catch (err) {
      registry.removeDir(dir);
      throw err;
    }
    return server;
  };
  if (options.port !== undefined) return start(options.port);
  return retryOnAddressInUse(async () => start(await findFreePort()));
}

// The master's operator listener: newline-delimited JSON commands over TCP (loopback unless configured otherwise).
// Daemons hit it on every block through scripts/blocknotify, so it must stay cheap, bounded and unbreakable: a
// line is answered in order, errors are answers, and no input can throw out of here.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { CLI_MAX_LINE_BYTES, formatCliAnswer, parseCliLine, type CliAnswer, type CliCommand, type CliRequestId } from './cli-protocol.js';

export type CliOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: string; readonly problems?: readonly string[] };

export type CliHandler = (command: CliCommand) => Promise<CliOutcome>;

export interface CliServerOptions {
  readonly host: string;
  readonly port: number;
  /** When set, every request must carry it; compared in constant time. */
  readonly secret: string | null;
  readonly handler: CliHandler;
  readonly logger: Logger;
  /** Open connections allowed at once; more are closed at accept (a daemon gone wild must not exhaust fds). */
  readonly maxConnections?: number;
  /** A connection that sends nothing for this long, with no request running, is closed. */
  readonly idleTimeoutMs?: number;
  /** A request line not complete this long after its first byte (or after connecting) closes the connection. */
  readonly lineDeadlineMs?: number;
  /** Longest a command may take before the client gets a timeout answer (the command itself carries on). */
  readonly commandTimeoutMs?: number;
}

/** Lines one connection may have waiting for their answers; a client that pipelines more is not a CLI. */
const MAX_QUEUED_LINES = 32;
/**
 * A request line must be complete this long after its first byte (or after the connection opened): the listener
 * takes a bounded number of connections, and blocknotify must never find them all held by clients that trickle.
 */
export const CLI_LINE_DEADLINE_MS = 5_000;

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class CliServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly secretDigest: Buffer | null;
  private readonly log: Logger;

  constructor(private readonly options: CliServerOptions) {
    this.secretDigest = options.secret === null ? null : digest(options.secret);
    this.log = options.logger.child({ component: 'cli' });
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = options.maxConnections ?? 64;
    this.server.on('error', (err) => this.log.error(`CLI listener error: ${err.message}`));
  }

  /** The bound port (useful when 0 was asked for). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port, exclusive: true }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let queued = 0;
    // Idle means no request running: a reloadpool may take tens of seconds to answer, under its own deadline.
    socket.setTimeout(this.options.idleTimeoutMs ?? 10_000, () => {
      if (queued === 0) socket.destroy();
    });
    socket.on('error', () => undefined); // resets from a client that gave up are normal
    let lineTimer: NodeJS.Timeout | null = null;
    const lineDeadline = (): void => {
      lineTimer ??= setTimeout(() => socket.destroy(), this.options.lineDeadlineMs ?? CLI_LINE_DEADLINE_MS);
    };
    const lineComplete = (): void => {
      if (lineTimer !== null) clearTimeout(lineTimer);
      lineTimer = null;
    };
    lineDeadline();
    socket.on('close', () => {
      lineComplete();
      this.sockets.delete(socket);
    });

    let pending: Buffer = Buffer.alloc(0);
    let chain: Promise<void> = Promise.resolve();
    let finished = false;
    const finish = (answer: CliAnswer): void => {
      // One last answer, then no more reading: the rest of the stream cannot be trusted to be framed.
      finished = true;
      socket.end(formatCliAnswer(answer));
    };
    /**
     * Stops taking requests at once (what still arrives is dropped, not buffered; the stream keeps flowing so the
     * client's close is seen) and answers after the requests already queued.
     */
    const refuse = (error: string): void => {
      socket.removeAllListeners('data');
      socket.on('data', () => undefined);
      lineComplete();
      pending = Buffer.alloc(0);
      chain = chain.then(() => finish({ id: null, ok: false, error }));
    };

    socket.on('data', (chunk: Buffer) => {
      if (finished) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let nl: number;
      while ((nl = pending.indexOf(0x0a)) >= 0) {
        const lineBytes = pending.subarray(0, nl);
        pending = pending.subarray(nl + 1);
        if (lineBytes.length > CLI_MAX_LINE_BYTES) return refuse(`line too long (more than ${CLI_MAX_LINE_BYTES} bytes)`);
        const line = lineBytes.toString('utf8').trim();
        if (line.length === 0) continue;
        if (queued >= MAX_QUEUED_LINES) return refuse(`too many pipelined requests (more than ${MAX_QUEUED_LINES})`);
        queued++;
        chain = chain.then(async () => {
          const answer = await this.answer(line);
          queued--;
          if (!socket.destroyed && !finished) socket.write(formatCliAnswer(answer));
        });
      }
      if (pending.length > CLI_MAX_LINE_BYTES) return refuse(`line too long (more than ${CLI_MAX_LINE_BYTES} bytes)`);
      if (pending.length > 0) lineDeadline();
      else lineComplete();
    });
  }

  /** Always resolves with an answer. */
  private async answer(line: string): Promise<CliAnswer> {
    const parsed = parseCliLine(line);
    if (!parsed.ok) return parsed.answer;
    const { id, secret, command } = parsed.request;
    if (!this.authorized(secret)) {
      this.log.warn(`CLI ${command.command} refused: missing or wrong secret`);
      return { id, ok: false, error: 'unauthorized: missing or wrong secret' };
    }
    return this.run(id, command);
  }

  private authorized(secret: string | null): boolean {
    if (this.secretDigest === null) return true;
    if (secret === null) return false;
    return timingSafeEqual(digest(secret), this.secretDigest);
  }

  private async run(id: CliRequestId, command: CliCommand): Promise<CliAnswer> {
    const timeoutMs = this.options.commandTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CliOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: `${command.command} did not finish within ${timeoutMs} ms` }), timeoutMs);
    });
    try {
      const outcome = await Promise.race([this.options.handler(command), timeout]);
      return { id, ...outcome };
    } catch (err) {
      this.log.error(`CLI ${command.command} failed: ${(err as Error).message}`);
      return { id, ok: false, error: `internal error while running ${command.command}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

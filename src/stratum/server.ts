// One stratum listener (one configured port): accepts miners, owns their connections, broadcasts jobs.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { BanningConfig, TlsFiles, VarDiffConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { JobNotification, ShareOutcome, ShareSubmission, StratumBackend } from '../mining/types.js';
import { BanList, type BanReason } from './banning.js';
import { Connection, type ConnectionHost, type DisconnectReason, type MalformedKind } from './connection.js';
import { ERR_INTERNAL, stratumError, StratumErrorCode } from './errors.js';
import type { StratumServerEvents, StratumServerStats } from './events.js';
import { broadcastToReady } from './broadcast.js';
import { notifyLine, setDifficultyLine, type RequestId } from './messages.js';
import { dispatchMethod, type MethodHost } from './methods.js';
import { readProxyHeader } from './proxy-protocol.js';
import { Session } from './session.js';
import { handleSubmit, type SubmitHost } from './submit.js';
import { VarDiff } from './vardiff.js';

export interface StratumServerOptions {
  readonly host: string;
  readonly port: number;
  readonly difficulty: { readonly diff: number; readonly varDiff: VarDiffConfig | null };
  readonly connectionTimeoutSec: number;
  readonly maxLineBytes: number;
  readonly banning: BanningConfig;
  readonly backend: StratumBackend;
  readonly logger: Logger;
  /** Milliseconds since the epoch; injected by tests. */
  readonly clock?: () => number;
  /** Unsent bytes a connection may hold before it is dropped as a slow reader (default 1 MiB). */
  readonly maxWriteBufferBytes?: number;
  /** Share one ban list between a pool's ports; by default each server keeps its own. */
  readonly banList?: BanList;
  /** Stratum over TLS with these PEM files (read here, so a reloaded pool serves a renewed certificate). */
  readonly tls?: TlsFiles | null;
  /** Connections from these addresses start with a PROXY protocol header naming the miner (see proxy-protocol.ts). */
  readonly trustedProxies?: readonly string[];
}

const DEFAULT_MAX_WRITE_BUFFER = 1024 * 1024;
const KEEPALIVE_DELAY_MS = 60_000;
/** A client that opens a TLS port and never completes the handshake holds a socket this long at most. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** A trusted proxy sends its header at once; a connection without one within this is dropped. */
const PROXY_HEADER_TIMEOUT_MS = 5_000;

export class StratumServer
  extends EventEmitter<StratumServerEvents>
  implements ConnectionHost, MethodHost, SubmitHost
{
  readonly backend: StratumBackend;
  readonly varDiff: VarDiffConfig | null;
  readonly banList: BanList;
  private readonly options: StratumServerOptions;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly connections = new Set<Connection>();
  /** Sockets from a trusted proxy whose PROXY header is still being read (dropped when the server closes). */
  private readonly awaitingHeader = new Set<Socket>();
  private readonly trustedProxies: ReadonlySet<string>;
  private readonly server: Server;
  /** Whether this listener holds one of the (possibly shared) ban list's start() counts. */
  private banListStarted = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private nextConnectionId = 1;
  private counters = { accepted: 0, rejected: 0, malformed: 0, refusedBanned: 0 };
  /** The last job serialized for newly authorized miners, by identity, so it is stringified once. */
  private cleanJob: JobNotification | null = null;
  private cleanJobLine = '';

  constructor(options: StratumServerOptions) {
    super();
    this.options = options;
    this.backend = options.backend;
    this.varDiff = options.difficulty.varDiff;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
    this.banList = options.banList ?? new BanList(options.banning, this.clock);
    this.trustedProxies = new Set((options.trustedProxies ?? []).map((ip) => normalizeIp(ip) ?? ip));
    this.server = options.tls ? this.createTlsListener(options.tls) : createServer(
      { noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS },
      (socket) => this.accept(socket),
    );
    // Accept errors (EMFILE and the like) must not kill the process; listen() reports its own.
    this.server.on('error', (err) => this.logger.error('stratum listener error', { port: options.port, err }));
  }

  get port(): number {
    return this.options.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<void> {
    await this.bind();
    this.startSweep();
    if (!this.banListStarted) this.banList.start();
    this.banListStarted = true;
  }

  private bind(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Stops accepting new connections; the connected miners stay (see handOver). */
  stopAccepting(): void {
    if (this.server.listening) this.server.close();
  }

  /** Accepts connections again after stopAccepting() (a reload that did not go through). */
  resumeAccepting(): Promise<void> {
    return this.server.listening ? Promise.resolve() : this.bind();
  }

  /**
   * Moves every connection to `successor`, the same port of a reloaded pool: the miners stay connected and are
   * served from then on by the successor's backend and settings. Returns how many moved.
   */
  handOver(successor: StratumServer): number {
    const moved = [...this.connections];
    this.connections.clear();
    for (const conn of moved) successor.adopt(conn);
    return moved.length;
  }

  /**
   * Takes over a connection from a predecessor: this port's difficulty settings, and a clean job if it mines. On a
   * vardiff port the miner starts where it was: the difficulty vardiff had learned for it, else its own suggestion
   * (clamped to this port's bounds); only a miner with neither starts at the port's initial difficulty.
   */
  private adopt(conn: Connection): void {
    conn.rehost(this);
    this.connections.add(conn);
    const session = conn.session;
    const { diff, varDiff } = this.options.difficulty;
    const learned = session.vardiff !== null ? session.difficulty : session.suggestedDifficulty;
    session.vardiff = varDiff === null ? null : new VarDiff(varDiff, learned ?? diff, this.clock());
    session.difficulty = session.vardiff === null ? diff : session.vardiff.difficulty;
    // Its work came from the previous backend's jobs, which the new one does not know: start it afresh.
    if (session.ready) this.sendInitialWork(conn);
  }

  /** Stops accepting, drops every connection and resolves once the listener is closed. */
  close(): Promise<void> {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    if (this.banListStarted) this.banList.stop();
    this.banListStarted = false;
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    for (const conn of [...this.connections]) conn.close('server-closing');
    for (const socket of this.awaitingHeader) socket.destroy();
    this.awaitingHeader.clear();
    return closed;
  }

  /**
   * Sends a job to every subscribed and authorized miner: the notify line is serialized once for all of them,
   * a set_difficulty line only goes to those whose difficulty changed since they were last told. Returns how many
   * miners it was written to.
   */
  broadcastJob(job: JobNotification): number {
    return broadcastToReady(this.connections, job);
  }

  /** Bans an IP (e.g. on a cluster-wide ban message) and drops its live connections. */
  banIp(ip: string, seconds: number, reason: BanReason = 'external'): void {
    this.banList.banIp(ip, seconds);
    this.safeEmit('ban', { ip, seconds, reason });
    this.closeConnectionsFrom(ip);
  }

  /** Closes this port's connections from `ip` (banned on the ban list this port shares with others). */
  closeConnectionsFrom(ip: string): void {
    for (const conn of [...this.connections]) if (conn.ip === ip) conn.close('banned');
  }

  stats(): StratumServerStats {
    let miners = 0;
    for (const conn of this.connections) if (conn.session.ready) miners += 1;
    return {
      connections: this.connections.size,
      miners,
      sharesAccepted: this.counters.accepted,
      sharesRejected: this.counters.rejected,
      malformedLines: this.counters.malformed,
      refusedBanned: this.counters.refusedBanned,
      bannedIps: this.banList.size,
    };
  }

  // ---- ConnectionHost / MethodHost / SubmitHost: called by connections and method handlers ----

  handleRequest(conn: Connection, id: RequestId, method: string, params: unknown): Promise<void> | undefined {
    try {
      return dispatchMethod(this, conn, id, method, params);
    } catch (err) {
      // A backend hook that threw (allocateExtranonce1, isValidMinerAddress) must cost one answer, not the process.
      this.logger.error('stratum handler failed', { method, conn: conn.id, err });
      conn.replyError(id, ERR_INTERNAL);
      return undefined;
    }
  }

  onMalformed(conn: Connection, kind: MalformedKind, detail: string): void {
    conn.malformed += 1;
    this.counters.malformed += 1;
    this.safeEmit('protocolError', { connectionId: conn.id, ip: conn.ip, kind, detail });
    const banning = this.options.banning;
    if (conn.malformed <= banning.malformedLimit) return;
    if (banning.enabled) this.banIp(conn.ip, banning.time, 'malformed');
    conn.close('malformed-limit');
  }

  onClose(conn: Connection, reason: DisconnectReason): void {
    if (!this.connections.delete(conn)) return;
    const extranonce1 = conn.session.extranonce1;
    if (extranonce1 !== null) {
      try {
        this.backend.releaseExtranonce1(extranonce1);
      } catch (err) {
        this.logger.error('releasing extranonce1 failed', { conn: conn.id, err });
      }
    }
    this.safeEmit('disconnect', { connectionId: conn.id, ip: conn.ip, reason });
  }

  badParams(conn: Connection, id: RequestId, message: string): void {
    conn.replyError(id, stratumError(StratumErrorCode.Other, message));
    this.onMalformed(conn, 'bad-params', message);
  }

  applyDifficulty(conn: Connection, diff: number): void {
    const session = conn.session;
    session.difficulty = session.vardiff === null ? diff : session.vardiff.reset(diff, this.clock());
    this.sendDifficultyIfChanged(conn);
  }

  sendInitialWork(conn: Connection): void {
    const session = conn.session;
    session.sentDifficulty = session.difficulty;
    conn.write(setDifficultyLine(session.difficulty));
    let job: JobNotification | null;
    try {
      job = this.backend.currentJob();
    } catch (err) {
      // The request was already answered; a second (error) answer would break the one-answer rule.
      this.logger.error('currentJob failed', { conn: conn.id, err });
      return;
    }
    if (job === null) return;
    if (job !== this.cleanJob) {
      this.cleanJob = job;
      this.cleanJobLine = notifyLine(job, true);
    }
    session.recordJob(job.jobId, session.difficulty);
    conn.write(this.cleanJobLine);
  }

  submit(conn: Connection, id: RequestId, params: unknown): Promise<void> | undefined {
    return handleSubmit(this, conn, id, params);
  }

  onUnauthorizedSubmit(conn: Connection): void {
    this.counters.rejected += 1;
    if (this.banList.recordShare(conn.ip, false)) this.banIp(conn.ip, this.options.banning.time, 'invalid-shares');
  }

  onShareJudged(conn: Connection, submission: ShareSubmission, outcome: ShareOutcome, latencyMs: number): void {
    const now = this.clock();
    conn.lastShareAt = now;
    if (outcome.ok) this.counters.accepted += 1;
    else this.counters.rejected += 1;
    this.safeEmit('share', { submission, outcome, latencyMs });
    if (this.banList.recordShare(conn.ip, outcome.ok)) {
      this.banIp(conn.ip, this.options.banning.time, 'invalid-shares');
      return;
    }
    const vardiff = conn.session.vardiff;
    if (vardiff === null || conn.closed) return;
    const next = vardiff.recordShare(now);
    if (next !== null) {
      conn.session.difficulty = next;
      this.sendDifficultyIfChanged(conn);
    }
  }

  onBackendFailure(conn: Connection, submission: ShareSubmission, error: unknown): void {
    this.logger.error('share submission failed', { conn: conn.id, jobId: submission.jobId, err: error });
    this.safeEmit('protocolError', { connectionId: conn.id, ip: conn.ip, kind: 'backend-failure', detail: String(error) });
  }

  // ---- internals ----

  private createTlsListener(files: TlsFiles): Server {
    const server = createTlsServer(
      { cert: readFileSync(files.cert), key: readFileSync(files.key), handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
      (socket) => this.accept(socket),
    );
    // Before the handshake: a banned IP costs no TLS work, and every socket gets the plain port's TCP settings.
    server.on('connection', (raw: Socket) => {
      if (this.admittedIp(raw) === null) return;
      raw.setNoDelay(true);
      raw.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    });
    // Plain TCP on a TLS port, a client that rejects our certificate, a handshake timeout: the socket is gone,
    // nothing reached stratum, so it is logged quietly rather than as a miner's error.
    server.on('tlsClientError', (err, socket) => {
      this.logger.debug('TLS handshake failed', { ip: socket.remoteAddress, err: err.message });
    });
    return server;
  }

  /** `ip` when it may connect; null once the socket of a banned (or unknown) address is dropped. */
  private admittedIp(socket: Socket, ip = normalizeIp(socket.remoteAddress)): string | null {
    if (ip === null || this.banList.isBanned(ip)) {
      if (ip !== null) this.counters.refusedBanned += 1;
      socket.on('error', ignore);
      socket.destroy();
      return null;
    }
    return ip;
  }

  private accept(socket: Socket): void {
    const peer = this.admittedIp(socket);
    if (peer === null) return;
    if (!this.trustedProxies.has(peer)) {
      this.open(socket, peer);
      return;
    }
    // A load balancer's connection: the miner is whoever its PROXY header names (the proxy itself for LOCAL).
    this.awaitingHeader.add(socket);
    readProxyHeader(socket, PROXY_HEADER_TIMEOUT_MS).then(
      (source) => {
        this.awaitingHeader.delete(socket);
        if (socket.destroyed) return;
        const ip = this.admittedIp(socket, source === null ? peer : normalizeIp(source));
        if (ip === null) return;
        this.open(socket, ip);
        socket.resume();
      },
      (err: Error) => {
        this.awaitingHeader.delete(socket);
        this.counters.malformed += 1;
        this.logger.warn('connection from a trusted proxy without a valid PROXY header: dropped', { proxy: peer, err: err.message });
        socket.on('error', ignore);
        socket.destroy();
      },
    );
  }

  private open(socket: Socket, ip: string): void {
    const now = this.clock();
    const { diff, varDiff } = this.options.difficulty;
    const vardiff = varDiff === null ? null : new VarDiff(varDiff, diff, now);
    const session = new Session(vardiff === null ? diff : vardiff.difficulty, vardiff);
    const id = this.nextConnectionId;
    this.nextConnectionId += 1;
    const maxWrite = this.options.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER;
    const conn = new Connection(id, socket, ip, session, now, this.options.maxLineBytes, maxWrite, this);
    this.connections.add(conn);
    this.safeEmit('connect', { connectionId: id, ip });
  }

  private sendDifficultyIfChanged(conn: Connection): void {
    const session = conn.session;
    // sentDifficulty 0: the miner gets no work yet, and its first job will carry the difficulty anyway.
    if (session.sentDifficulty === 0 || session.sentDifficulty === session.difficulty) return;
    session.sentDifficulty = session.difficulty;
    conn.write(setDifficultyLine(session.difficulty));
  }

  /** One timer for all connections (not one per miner): idle timeouts and vardiff for silent miners. */
  private startSweep(): void {
    const timeoutMs = this.options.connectionTimeoutSec * 1000;
    const every = Math.min(1000, Math.max(25, timeoutMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(timeoutMs), every);
    this.sweepTimer.unref();
  }

  private sweep(timeoutMs: number): void {
    const now = this.clock();
    // Deleting the visited entry while iterating a Set is safe, so no copy of 10,000 connections per tick.
    for (const conn of this.connections) {
      if (now - conn.lastShareAt > timeoutMs) {
        conn.close('idle-timeout');
        continue;
      }
      const vardiff = conn.session.vardiff;
      const next = vardiff === null ? null : vardiff.tick(now);
      if (next !== null) {
        conn.session.difficulty = next;
        this.sendDifficultyIfChanged(conn);
      }
    }
  }

  private safeEmit<K extends keyof StratumServerEvents>(event: K, ...args: StratumServerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: StratumServerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.logger.error('stratum event listener threw', { event, err });
    }
  }
}

function ignore(): void {}

/** "::ffff:1.2.3.4" and "1.2.3.4" are one miner: ban and count them under one key. */
function normalizeIp(address: string | undefined): string | null {
  if (address === undefined) return null;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

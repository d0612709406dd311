// Test scaffolding for the stratum server: a backend whose verdicts the test controls, a server on a free
// 127.0.0.1 port below 32768, and a line-oriented TCP client.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomInt } from 'node:crypto';
import type { BanningConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/log/logger.js';
import type { JobNotification, ShareOutcome, ShareSubmission, StratumBackend } from '../../../src/mining/types.js';
import { StratumServer, type StratumServerOptions } from '../../../src/stratum/server.js';

export const GOOD_ADDRESS = 'rltc1qgoodaddress';
export const OTHER_ADDRESS = 'rltc1qotheraddress';

/** Verdict by nonce, so each test picks the outcome it needs with the submit it sends. */
export const NONCE_OUTCOMES: Readonly<Record<string, ShareOutcome>> = {
  '00000001': { ok: true, difficulty: 1, shareDifficulty: 3, blockHash: null },
  '00000021': { ok: false, code: 21, reason: 'job-not-found', message: 'Job not found' },
  '00000022': { ok: false, code: 22, reason: 'duplicate', message: 'Duplicate share' },
  '00000023': { ok: false, code: 23, reason: 'low-difficulty', message: 'Low difficulty share' },
};

export class TestBackend implements StratumBackend {
  readonly extranonce2Size = 4;
  readonly submissions: ShareSubmission[] = [];
  job: JobNotification | null = makeJob('1', true);
  private counter = 0;

  allocateExtranonce1(): string {
    this.counter += 1;
    return this.counter.toString(16).padStart(8, '0');
  }

  readonly released: string[] = [];

  releaseExtranonce1(extranonce1: string): void {
    this.released.push(extranonce1);
  }

  payoutAddress(address: string): string | null {
    if (address === GOOD_ADDRESS || address === OTHER_ADDRESS) return address;
    // A second spelling of GOOD_ADDRESS, as upper-case bech32 is of the lower-case one.
    return address === GOOD_ADDRESS.toUpperCase() ? GOOD_ADDRESS : null;
  }

  currentJob(): JobNotification | null {
    return this.job;
  }

  async submitShare(share: ShareSubmission): Promise<ShareOutcome> {
    this.submissions.push(share);
    // Resolve on a later tick so ordering is exercised against a genuinely asynchronous backend.
    await new Promise((resolve) => setImmediate(resolve));
    const outcome = NONCE_OUTCOMES[share.nonce];
    if (outcome === undefined) throw new Error(`test backend: no verdict for nonce ${share.nonce}`);
    return outcome.ok ? { ...outcome, difficulty: share.difficulty } : outcome;
  }
}

export function makeJob(jobId: string, cleanJobs: boolean, pad = 0): JobNotification {
  const coinb1 = '01000000' + 'ab'.repeat(pad);
  return {
    jobId,
    cleanJobs,
    params: [jobId, '00'.repeat(32), coinb1, 'ffffffff', [], '20000000', '1d00ffff', '6553f100', cleanJobs],
  };
}

export const BANNING_OFF: BanningConfig = {
  enabled: false,
  time: 60,
  invalidPercent: 50,
  checkThreshold: 100,
  malformedLimit: 1_000_000,
  purgeInterval: 60,
};

const silentLogger = createLogger({ level: 'error' });
silentLogger.silent = true;

export type ServerOverrides = Partial<Omit<StratumServerOptions, 'host' | 'port' | 'backend' | 'logger'>>;

/** Starts a server on a random free port in [10000, 32767], retrying if another test took the port first. */
export async function startServer(
  backend: StratumBackend,
  overrides: ServerOverrides = {},
): Promise<StratumServer> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const server = new StratumServer({
      host: '127.0.0.1',
      port: randomInt(10_000, 32_768),
      difficulty: { diff: 8, varDiff: null },
      connectionTimeoutSec: 60,
      maxLineBytes: 16 * 1024,
      banning: BANNING_OFF,
      backend,
      logger: silentLogger,
      ...overrides,
    });
    try {
      await server.listen();
      return server;
    } catch (err) {
      await server.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error('no free port for the stratum test server');
}

export interface Message {
  id?: unknown;
  method?: string;
  params?: unknown[];
  result?: unknown;
  error?: unknown;
}

/** A stratum client that records every line the server sends. */
export class TestClient {
  readonly lines: string[] = [];
  readonly messages: Message[] = [];
  closed = false;
  private buffer = '';
  private nextId = 1;
  private waiters: Array<() => void> = [];
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.lines.push(line);
        this.messages.push(JSON.parse(line) as Message);
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(server: StratumServer): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: server.port }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Over TLS, trusting only `ca` (the test's self-signed certificate): resolves once the handshake is done. */
  static connectTls(server: StratumServer, ca: Buffer): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  send(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  /** Sends a request and resolves with its answer. */
  async request(method: string, params: unknown, timeoutMs = 2000): Promise<Message> {
    const id = this.nextId;
    this.nextId += 1;
    this.send(JSON.stringify({ id, method, params }) + '\n');
    return this.waitFor((m) => m.id === id, timeoutMs);
  }

  async waitFor(match: (m: Message) => boolean, timeoutMs = 2000): Promise<Message> {
    return this.until(() => this.messages.find(match), timeoutMs);
  }

  /** Resolves once `probe` returns a value; rejects after timeoutMs or when the connection closes first. */
  async until<T>(probe: () => T | undefined, timeoutMs = 2000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (this.closed) throw new Error('connection closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the server');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server closed the connection, false if it is still open after timeoutMs. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    if (this.closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closedPromise.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Subscribes and authorizes `login`; resolves once the first job arrived. */
  async login(login = `${GOOD_ADDRESS}.rig1`): Promise<{ extranonce1: string }> {
    const sub = await this.request('mining.subscribe', ['test-miner/1.0']);
    const auth = await this.request('mining.authorize', [login, 'x']);
    if (auth.result !== true) throw new Error(`authorize failed: ${JSON.stringify(auth)}`);
    await this.waitFor((m) => m.method === 'mining.notify');
    return { extranonce1: (sub.result as unknown[])[1] as string };
  }

  submit(worker: string, nonce: string, jobId = '1'): Promise<Message> {
    return this.request('mining.submit', [worker, jobId, '00000000', '6553f100', nonce]);
  }

  notifications(method: string): Message[] {
    return this.messages.filter((m) => m.method === method);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export interface Scene {
  readonly server: StratumServer;
  readonly backend: TestBackend;
  /** A new client, closed with the scene. */
  client(): Promise<TestClient>;
}

/** Runs `fn` against a fresh server; the server and every client are closed afterwards, pass or fail. */
export async function withServer(
  fn: (scene: Scene) => Promise<void>,
  overrides: ServerOverrides = {},
  backend: TestBackend = new TestBackend(),
): Promise<void> {
  const server = await startServer(backend, overrides);
  const clients: TestClient[] = [];
  try {
    await fn({
      server,
      backend,
      client: async () => {
        const c = await TestClient.connect(server);
        clients.push(c);
        return c;
      },
    });
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
}

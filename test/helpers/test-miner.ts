// A stratum v1 CPU miner for tests: speaks the protocol over TCP like cpuminer and computes real scrypt/sha256d
// hashes to find shares. It rebuilds headers from mining.notify on its own (no pool code), so a byte-order
// mistake in the pool shows up as a rejected share or a block the daemon refuses.
import { createHash, scryptSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { EventEmitter } from 'node:events';

export interface MinerJob {
  readonly jobId: string;
  readonly prevhash: string;
  readonly coinb1: string;
  readonly coinb2: string;
  readonly branch: readonly string[];
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  readonly clean: boolean;
  readonly receivedAt: number;
}

export interface SubmitAnswer {
  readonly result: unknown;
  readonly error: [number, string, unknown] | null;
}

export interface FoundShare {
  readonly jobId: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** sha256d of the header, in RPC (display) byte order. */
  readonly blockHash: string;
  /** PoW hash as a little-endian integer. */
  readonly powValue: bigint;
  readonly answer: SubmitAnswer;
}

const SCRYPT_DIFF1 = 0x0000ffffn << 224n;
const SHA256D_DIFF1 = 0x00000000ffffn << 208n;

function sha256d(buf: Buffer): Buffer {
  return createHash('sha256').update(createHash('sha256').update(buf).digest()).digest();
}

function leToBigInt(buf: Buffer): bigint {
  return BigInt('0x' + Buffer.from(buf).reverse().toString('hex'));
}

/** Swaps the byte order inside each 4-byte word: mining.notify's prevhash back to header order. */
function swapWords(hex: string): Buffer {
  const buf = Buffer.from(hex, 'hex');
  for (let i = 0; i < buf.length; i += 4) buf.subarray(i, i + 4).reverse();
  return buf;
}

export class TestMiner extends EventEmitter {
  private socket: Socket | null = null;
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, (answer: SubmitAnswer & { id: number }) => void>();
  extranonce1 = '';
  extranonce2Size = 4;
  difficulty = 1;
  job: MinerJob | null = null;
  readonly jobs: MinerJob[] = [];
  private extranonce2Counter = 0;
  readonly notifications: { method: string; params: unknown[] }[] = [];
  closed = false;

  constructor(
    private readonly options: {
      readonly host?: string;
      readonly port: number;
      readonly algorithm?: 'scrypt' | 'sha256d';
      /** Stratum over TLS, trusting only this certificate (PEM). */
      readonly tlsCa?: Buffer;
    },
  ) {
    super();
  }

  connect(): Promise<void> {
    this.closed = false;
    return new Promise((resolve, reject) => {
      let connected = false;
      const target = { host: this.options.host ?? '127.0.0.1', port: this.options.port };
      const onConnected = () => {
        connected = true;
        resolve();
      };
      const ca = this.options.tlsCa;
      // Over TLS the miner counts as connected once the handshake verified the pool's certificate.
      const socket = ca ? tlsConnect({ ...target, ca }, onConnected) : connect(target, onConnected);
      socket.setEncoding('utf8');
      socket.on('error', (err) => {
        if (!connected) reject(err);
      });
      socket.on('close', () => {
        this.closed = true;
        this.emit('close');
      });
      socket.on('data', (chunk: string) => this.onData(chunk));
      this.socket = socket;
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { id: number | null; method?: string; params?: unknown[]; result?: unknown; error?: SubmitAnswer['error'] };
      if (msg.method) {
        this.notifications.push({ method: msg.method, params: msg.params ?? [] });
        if (msg.method === 'mining.set_difficulty') this.difficulty = Number((msg.params ?? [])[0]);
        if (msg.method === 'mining.notify') {
          const p = msg.params as [string, string, string, string, string[], string, string, string, boolean];
          const job: MinerJob = {
            jobId: p[0], prevhash: p[1], coinb1: p[2], coinb2: p[3], branch: p[4], version: p[5], nbits: p[6],
            ntime: p[7], clean: p[8], receivedAt: performance.now(),
          };
          this.job = job;
          this.jobs.push(job);
          this.emit('job', job);
        }
        this.emit('notification', msg);
      } else if (typeof msg.id === 'number') {
        const resolve = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        resolve?.({ id: msg.id, result: msg.result, error: msg.error ?? null });
      }
    }
  }

  request(method: string, params: unknown[]): Promise<SubmitAnswer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.socket || this.closed) return reject(new Error('miner not connected'));
      this.pending.set(id, resolve);
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  async subscribe(): Promise<void> {
    const answer = await this.request('mining.subscribe', ['headframe-test-miner/1.0']);
    const result = answer.result as [unknown, string, number];
    this.extranonce1 = result[1];
    this.extranonce2Size = result[2];
  }

  async authorize(user: string, password = 'x'): Promise<SubmitAnswer> {
    return this.request('mining.authorize', [user, password]);
  }

  /** Subscribe, authorize `user` (throwing unless the pool says true), then the first job: a miner ready to mine. */
  async login(user: string, password = 'x', timeoutMs = 15000): Promise<MinerJob> {
    await this.subscribe();
    const auth = await this.authorize(user, password);
    if (auth.result !== true) throw new Error(`authorize ${user}: ${JSON.stringify(auth.error)}`);
    return this.waitForJob(() => true, timeoutMs);
  }

  /** Resolves with the next job (or the current one if it arrived already and `fresh` is false). */
  waitForJob(predicate: (job: MinerJob) => boolean = () => true, timeoutMs = 15000): Promise<MinerJob> {
    if (this.job && predicate(this.job)) return Promise.resolve(this.job);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('job', onJob);
        reject(new Error(`no matching job within ${timeoutMs} ms`));
      }, timeoutMs);
      const onJob = (job: MinerJob) => {
        if (!predicate(job)) return;
        clearTimeout(timer);
        this.off('job', onJob);
        resolve(job);
      };
      this.on('job', onJob);
    });
  }

  /** Builds the 80-byte header for a job the way a miner does. */
  header(job: MinerJob, extranonce2: string, ntime: string, nonce: number): Buffer {
    const coinbase = Buffer.from(job.coinb1 + this.extranonce1 + extranonce2 + job.coinb2, 'hex');
    let root = sha256d(coinbase);
    for (const branch of job.branch) root = sha256d(Buffer.concat([root, Buffer.from(branch, 'hex')]));
    const header = Buffer.alloc(80);
    header.writeUInt32LE(parseInt(job.version, 16), 0);
    swapWords(job.prevhash).copy(header, 4);
    root.copy(header, 36);
    header.writeUInt32LE(parseInt(ntime, 16), 68);
    header.writeUInt32LE(parseInt(job.nbits, 16), 72);
    header.writeUInt32LE(nonce >>> 0, 76);
    return header;
  }

  powHash(header: Buffer): Buffer {
    return this.options.algorithm === 'sha256d' ? sha256d(header) : scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 });
  }

  shareTarget(difficulty = this.difficulty): bigint {
    const diff1 = this.options.algorithm === 'sha256d' ? SHA256D_DIFF1 : SCRYPT_DIFF1;
    const scale = 1_000_000_000n;
    return (diff1 * scale) / BigInt(Math.round(difficulty * Number(scale)));
  }

  nextExtranonce2(): string {
    return (this.extranonce2Counter++).toString(16).padStart(this.extranonce2Size * 2, '0');
  }

  /**
   * Grinds nonces until the hash meets `target` (default: the share target) and `accept(pow)` agrees,
   * then submits. Returns what was found and the pool's answer.
   */
  async mineShare(options: {
    worker: string;
    job?: MinerJob;
    target?: bigint;
    accept?: (pow: bigint) => boolean;
    maxHashes?: number;
  }): Promise<FoundShare> {
    const job = options.job ?? this.job;
    if (!job) throw new Error('no job yet');
    const target = options.target ?? this.shareTarget();
    const maxHashes = options.maxHashes ?? 200_000;
    const extranonce2 = this.nextExtranonce2();
    const ntime = job.ntime;
    for (let nonce = 0; nonce < maxHashes; nonce++) {
      const header = this.header(job, extranonce2, ntime, nonce);
      const pow = leToBigInt(this.powHash(header));
      if (pow > target || (options.accept && !options.accept(pow))) continue;
      const nonceHex = nonce.toString(16).padStart(8, '0');
      const answer = await this.request('mining.submit', [options.worker, job.jobId, extranonce2, ntime, nonceHex]);
      return {
        jobId: job.jobId, extranonce2, ntime, nonce: nonceHex,
        blockHash: Buffer.from(sha256d(header)).reverse().toString('hex'), powValue: pow, answer,
      };
    }
    throw new Error(`no share found in ${maxHashes} hashes`);
  }

  submitRaw(params: unknown[]): Promise<SubmitAnswer> {
    return this.request('mining.submit', params);
  }

  writeRaw(data: string | Buffer): void {
    this.socket?.write(data);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }
}

/** Block target from compact bits (hex string as in mining.notify). */
export function targetFromBitsHex(nbits: string): bigint {
  const bits = parseInt(nbits, 16);
  const exponent = BigInt(bits >>> 24);
  const mantissa = BigInt(bits & 0x7fffff);
  return exponent <= 3n ? mantissa >> (8n * (3n - exponent)) : mantissa << (8n * (exponent - 3n));
}

// Hostile input against a real pool (real daemon, real Redis): nothing a client sends may crash the worker or
// disturb other miners, every request with an id is answered (in order), and oversized lines end the connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { RegtestPair } from '../helpers/litecoind.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { startPool, type RunningPool } from '../helpers/pool-harness.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { waitFor } from '../helpers/processes.js';
import { startMiningScene } from '../helpers/mining-scene.js';

interface Answer {
  id: unknown;
  result?: unknown;
  error?: unknown;
  method?: string;
}

/** A raw line client: sends bytes as given and collects every line the pool sends back. */
class RawClient {
  readonly answers: Answer[] = [];
  closed = false;
  private buffer = '';
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim()) this.answers.push(JSON.parse(line) as Answer);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Answers to requests (method-less lines), notifications left out. */
  replies(): Answer[] {
    return this.answers.filter((a) => a.method === undefined);
  }

  async waitForReplies(count: number, what: string): Promise<Answer[]> {
    await waitFor(() => this.replies().length >= count || this.closed, { timeoutMs: 10_000, what });
    return this.replies();
  }

  close(): void {
    this.socket.destroy();
  }
}

const METHODS = ['mining.subscribe', 'mining.authorize', 'mining.submit', 'mining.configure', 'mining.suggest_difficulty', 'mining.extranonce.subscribe'];
const BAD_PARAMS: unknown[] = [undefined, null, [], 5, {}, 'text', [null, null, null, null, null], [1e308, -1e308, 2 ** 64], [{}, [], true], ['x'.repeat(500)]];

describe('hostile input against the real pool', { timeout: 120_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let pool: RunningPool;
  let address: string;

  before(async () => {
    ({ pair, redis, address } = await startMiningScene());
    // Banning off and a high malformed-line limit, so one abusive connection can exercise every case here
    // without being cut off (the ban path has its own tests).
    pool = await startPool({
      daemons: [pair.a],
      address,
      diff: 0.00002,
      redis,
      pool: { banning: { enabled: false, time: 600, invalidPercent: 50, checkThreshold: 500, malformedLimit: 100_000, purgeInterval: 300 } },
    });
  });

  after(async () => {
    await pool?.stop();
    await Promise.all([pair?.stop(), redis?.stop()]);
  });

  test('garbage, invalid JSON, wrong types and a pipelined thousand: all answered, in order; others keep mining', async () => {
    const honest = new TestMiner({ port: pool.stratumPort });
    await honest.connect();
    await honest.login(`${address}.honest`);

    const hostile = await RawClient.open(pool.stratumPort);
    // Lines without a usable id: answered with an error carrying id null (or ignored), never a crash.
    hostile.send(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]));
    hostile.send('this is not json\n{"id": 1, "method": \n[1,2,3]\n"a string"\n42\nnull\n{}\n');

    let id = 100;
    const expected: number[] = [];
    let batch = '';
    for (const method of METHODS) {
      for (const params of BAD_PARAMS) {
        expected.push(id);
        batch += JSON.stringify(params === undefined ? { id: id++, method } : { id: id++, method, params }) + '\n';
      }
    }
    batch += '{"id": 9007199254740993999, "method": "mining.submit", "params": [1e999]}\n';
    hostile.send(batch);
    // A thousand valid requests in one packet.
    let thousand = '';
    for (let i = 0; i < 1000; i++) {
      expected.push(id);
      thousand += JSON.stringify({ id: id++, method: i % 2 ? 'mining.extranonce.subscribe' : 'mining.suggest_difficulty', params: i % 2 ? [] : [1] }) + '\n';
    }
    hostile.send(thousand);

    const numbered = async () => (await hostile.waitForReplies(expected.length + 8, 'answers to every request')).filter((a) => typeof a.id === 'number' && a.id >= 100);
    const answered = await numbered();
    assert.equal(hostile.closed, false, 'the hostile connection stays open below the limits');
    assert.deepEqual(
      answered.map((a) => a.id).filter((v) => expected.includes(v as number)),
      expected,
      'every request with an id answered exactly once, in order',
    );
    for (const a of answered.slice(0, METHODS.length * BAD_PARAMS.length)) {
      assert.ok(a.error === null || Array.isArray(a.error), `answer ${String(a.id)} carries an error array or null`);
    }
    const nullIdErrors = hostile.replies().filter((a) => a.id === null && Array.isArray(a.error));
    assert.ok(nullIdErrors.length >= 4, `malformed lines are answered with errors (${nullIdErrors.length})`);

    // The honest miner on the same worker was never disturbed: it still finds a block the daemon accepts.
    const job = honest.job!;
    const found = await honest.mineShare({ worker: `${address}.honest`, job, target: targetFromBitsHex(job.nbits) });
    assert.equal(found.answer.result, true);
    await waitFor(async () => (await pair.a.rpc<string>('getbestblockhash')) === found.blockHash, { timeoutMs: 10_000, what: 'block accepted' });
    hostile.close();
    honest.close();
  });

  test('a 1 MB line without a newline closes that connection only', async () => {
    const honest = new TestMiner({ port: pool.stratumPort });
    await honest.connect();
    await honest.subscribe();
    const flooder = await RawClient.open(pool.stratumPort);
    flooder.send(Buffer.alloc(1024 * 1024, 0x61));
    await waitFor(() => flooder.closed, { timeoutMs: 10_000, what: 'the flooding connection to be closed' });
    const answer = await honest.authorize(`${address}.still-here`);
    assert.equal(answer.result, true, 'the other miner is still served');
    honest.close();
  });
});

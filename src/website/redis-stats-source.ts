// StatsSource over the keys the share recorder and the payment processor keep (src/redis/keys.ts). Runs only in
// the refresher, never for a page: its cost grows with the number of workers, blocks and payments shown.
import type { Redis } from 'ioredis';
import { HASHRATE_WINDOW_MS, parseBlockId, PaymentKeys, PoolKeys, unitsToDifficulty } from '../redis/keys.js';
import { DEFAULT_HASHRATE_WINDOW_SECONDS, MIN_HASHRATE_WINDOW_SECONDS, readHashrateWindow } from '../redis/hashrate-window.js';
import { readChunked } from './chunked-read.js';
import { MINER_PAYMENTS_SHOWN, owedAddresses } from './compute-stats.js';
import { addressOfLogin, minerAddresses } from './miner-set.js';
import type { BlockStatus, RawAddressPayment, RawBalance, RawBlock, RawPayment, RawPoolData, RawWorker, StatsSource } from './types.js';

export interface RedisStatsSourceOptions {
  readonly keyPrefix: string;
  /** Seconds of shares the hashrate is measured over (at most the recorder's bucket retention, 15 min). */
  readonly windowSeconds?: number;
  /** Workers without a share for this long are left off the pages. */
  readonly workerRetentionSeconds?: number;
  /** Newest blocks of each status put in the snapshot. */
  readonly blocksShown?: number;
  readonly paymentsShown?: number;
  /** Most workers listed (the most recently active); pool and per-address figures count every worker regardless. */
  readonly maxWorkers?: number;
}

export function bigOr0(value: unknown): bigint {
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : 0n;
}

function recipientCount(value: unknown): number {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

export class RedisStatsSource implements StatsSource {
  private readonly windowSeconds: number;
  private readonly retentionSeconds: number;
  private readonly blocksShown: number;
  private readonly paymentsShown: number;
  private readonly maxWorkers: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStatsSourceOptions,
  ) {
    this.windowSeconds = Math.max(MIN_HASHRATE_WINDOW_SECONDS, Math.min(options.windowSeconds ?? DEFAULT_HASHRATE_WINDOW_SECONDS, HASHRATE_WINDOW_MS / 1000));
    this.retentionSeconds = options.workerRetentionSeconds ?? 24 * 3600;
    this.blocksShown = options.blocksShown ?? 100;
    this.paymentsShown = options.paymentsShown ?? 100;
    this.maxWorkers = options.maxWorkers ?? 20_000;
  }

  async readPool(poolId: string, now: number): Promise<RawPoolData> {
    const pool = new PoolKeys(this.options.keyPrefix, poolId);
    const pay = new PaymentKeys(pool);
    const [{ difficulty: window, seconds: windowSeconds }, workers, round, blocks, payments, owed] = await Promise.all([
      readHashrateWindow(this.redis, pool, now, this.windowSeconds),
      this.workers(pool, now),
      this.redis.hgetall(pool.currentRound.addresses),
      this.blocks(pool, pay),
      this.payments(pay),
      this.owed(pay),
    ]);
    const roundShares: Record<string, number> = {};
    for (const [address, work] of Object.entries(round)) roundShares[address] = unitsToDifficulty(work);
    const rawWorkers: RawWorker[] = workers.map((w) => ({ ...w, windowDifficulty: window.get(w.name) ?? 0 }));
    // balances:paid holds every address ever paid: only the miner set's entries are read, never the whole hash.
    const addresses = [...minerAddresses({ window, workers: rawWorkers, roundShares, owed: owedAddresses(owed) })];
    const balances = await this.balances(pay, addresses, owed);
    const addressPayments = await this.addressPayments(pay, addresses.filter((a) => (balances.get(a)?.paid ?? 0n) > 0n));
    return { windowSeconds, window, workers: rawWorkers, roundShares, ...blocks, payments, balances, addressPayments };
  }

  private async workers(pool: PoolKeys, now: number): Promise<Omit<RawWorker, 'windowDifficulty'>[]> {
    // Newest first: past the bound, the logins left off are the ones that went quiet longest ago.
    const logins = await this.redis.zrevrangebyscore(pool.workers, '+inf', now - this.retentionSeconds * 1000, 'LIMIT', 0, this.maxWorkers);
    if (logins.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const login of logins) pipe.hgetall(pool.worker(login));
    const replies = (await pipe.exec()) ?? [];
    return logins.map((login, i) => {
      const h = (replies[i]?.[1] ?? {}) as Record<string, string>;
      const invalid = Number(h.invalid ?? 0);
      return {
        name: login,
        address: h.address ?? addressOfLogin(login),
        lastShareAt: h.lastShare ? Number(h.lastShare) : null,
        validShares: Number(h.valid ?? 0),
        invalidShares: Number.isFinite(invalid) ? invalid : 0,
      };
    });
  }

  private async blocks(pool: PoolKeys, pay: PaymentKeys): Promise<Pick<RawPoolData, 'blocks' | 'blockCounts'>> {
    const sets: [string, BlockStatus][] = [
      [pool.blocksPending, 'pending'],
      [pay.blocksCredited, 'confirmed'],
      [pay.blocksPaid, 'confirmed'],
      [pay.blocksOrphaned, 'orphaned'],
    ];
    const pipe = this.redis.pipeline();
    for (const [key] of sets) {
      pipe.zcard(key);
      pipe.zrevrange(key, 0, this.blocksShown - 1);
    }
    const replies = (await pipe.exec()) ?? [];
    const counts: Record<BlockStatus, number> = { pending: 0, confirmed: 0, orphaned: 0 };
    const ids: { height: number; hash: string; status: BlockStatus }[] = [];
    sets.forEach(([, status], i) => {
      counts[status] += Number(replies[2 * i]?.[1] ?? 0);
      for (const id of (replies[2 * i + 1]?.[1] ?? []) as string[]) {
        // One malformed member (hand-edited Redis) must not take every pool figure down with it.
        try {
          ids.push({ ...parseBlockId(id), status });
        } catch {
          continue;
        }
      }
    });
    const read = this.redis.pipeline();
    for (const { height, hash } of ids) read.hgetall(pool.block(height, hash));
    const hashes = ids.length ? ((await read.exec()) ?? []) : [];
    const blocks: RawBlock[] = [];
    ids.forEach(({ height, hash, status }, i) => {
      const h = (hashes[i]?.[1] ?? {}) as Record<string, string>;
      blocks.push({
        height,
        hash,
        status,
        reward: bigOr0(h.reward),
        finder: h.finder ?? '',
        worker: h.worker ?? '',
        foundAt: Number(h.foundAt ?? 0),
        confirmations: h.confirmations ? Number(h.confirmations) : null,
      });
    });
    blocks.sort((a, b) => b.height - a.height || b.foundAt - a.foundAt);
    return { blocks, blockCounts: counts };
  }

  private async payments(pay: PaymentKeys): Promise<RawPayment[]> {
    const items = await this.redis.lrange(pay.history, 0, this.paymentsShown - 1);
    return items.flatMap((json) => {
      try {
        const p = JSON.parse(json) as Record<string, unknown>;
        return [{ txid: String(p.txid ?? ''), paidAt: Number(p.paidAt ?? 0), amount: bigOr0(p.amount), recipients: recipientCount(p.recipients) }];
      } catch {
        return [];
      }
    });
  }

  /** Immature and unpaid balances: small hashes, holding only addresses the pool still owes. */
  private async owed(pay: PaymentKeys): Promise<Map<string, RawBalance>> {
    const [unpaid, immature] = await Promise.all([this.redis.hgetall(pay.unpaid), this.redis.hgetall(pay.immature)]);
    const out = new Map<string, RawBalance>();
    for (const address of new Set([...Object.keys(unpaid), ...Object.keys(immature)])) {
      out.set(address, { unpaid: bigOr0(unpaid[address]), immature: bigOr0(immature[address]), paid: 0n });
    }
    return out;
  }

  private async balances(pay: PaymentKeys, addresses: readonly string[], owed: ReadonlyMap<string, RawBalance>): Promise<Map<string, RawBalance>> {
    const out = new Map<string, RawBalance>();
    if (addresses.length === 0) return out;
    const paid = await readChunked<string | null>(this.redis, addresses, (pipe, chunk) => pipe.hmget(pay.paid, ...chunk));
    addresses.forEach((address, i) => {
      const o = owed.get(address);
      out.set(address, { unpaid: o?.unpaid ?? 0n, immature: o?.immature ?? 0n, paid: bigOr0(paid[i]) });
    });
    return out;
  }

  private async addressPayments(pay: PaymentKeys, addresses: string[]): Promise<Map<string, RawAddressPayment[]>> {
    const out = new Map<string, RawAddressPayment[]>();
    if (addresses.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const a of addresses) pipe.lrange(pay.addressHistory(a), 0, MINER_PAYMENTS_SHOWN - 1);
    const replies = (await pipe.exec()) ?? [];
    addresses.forEach((address, i) => out.set(address, parseAddressPayments((replies[i]?.[1] ?? []) as string[])));
    return out;
  }
}

/** Entries of payments:address:<addr> (newest first); an unreadable entry is skipped, not fatal. */
export function parseAddressPayments(items: readonly string[]): RawAddressPayment[] {
  return items.flatMap((json) => {
    try {
      const p = JSON.parse(json) as Record<string, unknown>;
      return [{ txid: String(p.txid ?? ''), paidAt: Number(p.paidAt ?? 0), amount: bigOr0(p.amount) }];
    } catch {
      return [];
    }
  });
}

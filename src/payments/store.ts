// The payment processor's view of Redis for one pool: reads, and every write through a fenced Lua script.
import type { Redis } from 'ioredis';
import { ADDRESS_HISTORY_MAX, blockId, PAYMENT_HISTORY_MAX, PaymentKeys, PoolKeys } from '../redis/keys.js';
import {
  parseBlockRecord,
  parseRoundMeta,
  parseShareLogEntry,
  parseWorkHash,
  type BlockRecord,
  type RoundMeta,
  type ShareLogEntry,
} from '../redis/records.js';
import { parseSplit, serializeCreditRecord, serializeSplit, type BlockSplit, type CreditRecord } from './credit-record.js';
import { intentTotal, parseIntent, serializeIntent, type PaymentIntent } from './payout.js';
import type { PaymentScripts } from './scripts.js';

export interface PendingBlock {
  readonly record: BlockRecord;
  /** Consecutive off-chain checks so far. */
  readonly orphanChecks: number;
}

const flatten = (m: ReadonlyMap<string, bigint>): string[] => [...m].flatMap(([k, v]) => [k, v.toString()]);

export class PaymentStore {
  readonly keys: PoolKeys;
  readonly pay: PaymentKeys;

  constructor(
    private readonly redis: Redis,
    private readonly scripts: PaymentScripts,
    keyPrefix: string,
    readonly poolId: string,
  ) {
    this.keys = new PoolKeys(keyPrefix, poolId);
    this.pay = new PaymentKeys(this.keys);
  }

  // ── lock ──
  async acquireLock(leaseMs: number): Promise<string | null> {
    const token = await this.scripts.run('payments-lock-acquire', [this.pay.fence, this.pay.lock], [leaseMs]);
    return typeof token === 'string' ? token : null;
  }

  async renewLock(token: string, leaseMs: number): Promise<boolean> {
    return (await this.scripts.run('payments-lock-renew', [this.pay.lock], [token, leaseMs])) === 1;
  }

  async releaseLock(token: string): Promise<void> {
    await this.scripts.run('payments-lock-release', [this.pay.lock], [token]);
  }

  // ── reads ──
  async halted(): Promise<string | null> {
    return this.redis.get(this.pay.halt);
  }

  async intent(): Promise<PaymentIntent | null> {
    const text = await this.redis.get(this.pay.intent);
    return text === null ? null : parseIntent(text);
  }

  async pendingBlocks(): Promise<PendingBlock[]> {
    const ids = await this.redis.zrange(this.keys.blocksPending, 0, -1);
    const out: PendingBlock[] = [];
    for (const id of ids) {
      const [height, hash] = [Number(id.slice(0, id.indexOf(':'))), id.slice(id.indexOf(':') + 1)];
      const raw = await this.redis.hgetall(this.keys.block(height, hash));
      out.push({ record: parseBlockRecord(raw, `block ${id}`), orphanChecks: Number(raw.orphanChecks ?? '0') || 0 });
    }
    return out;
  }

  /** Heights that already have a confirmed (credited or paid) block. */
  async confirmedHeights(heights: readonly number[]): Promise<Set<number>> {
    const taken = new Set<number>();
    for (const h of new Set(heights)) {
      const n = (await this.redis.zcount(this.pay.blocksCredited, h, h)) + (await this.redis.zcount(this.pay.blocksPaid, h, h));
      if (n > 0) taken.add(h);
    }
    return taken;
  }

  async round(height: number, hash: string): Promise<{ work: Map<string, bigint>; meta: RoundMeta }> {
    const keys = this.keys.round(height, hash);
    const [work, meta] = await Promise.all([this.redis.hgetall(keys.addresses), this.redis.hgetall(keys.meta)]);
    return { work: parseWorkHash(work, `round ${height}:${hash}`), meta: parseRoundMeta(meta) };
  }

  /** Share-log entries from `endId` (inclusive) backwards, in pages, until `enough` says stop or the log ends. */
  async *sharesBackFrom(endId: string, pageSize = 1000): AsyncGenerator<ShareLogEntry> {
    let end = endId;
    let first = true;
    for (;;) {
      const page = (await this.redis.xrevrange(this.keys.shareLog, end, '-', 'COUNT', pageSize)) as [string, string[]][];
      for (const [id, fields] of page) {
        if (!first && id === end) continue;
        yield parseShareLogEntry(id, fields);
      }
      if (page.length < pageSize) return;
      first = false;
      end = page[page.length - 1][0];
    }
  }

  /** Share-log entries from first to last id, inclusive, oldest first. */
  async sharesBetween(firstId: string, lastId: string): Promise<ShareLogEntry[]> {
    const page = (await this.redis.xrange(this.keys.shareLog, firstId, lastId)) as [string, string[]][];
    return page.map(([id, fields]) => parseShareLogEntry(id, fields));
  }

  async unpaidBalances(): Promise<Map<string, bigint>> {
    return parseWorkHash(await this.redis.hgetall(this.pay.unpaid), 'balances:unpaid');
  }

  async quarantined(): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.pay.quarantine));
  }

  async creditedRounds(): Promise<string[]> {
    return this.redis.zrange(this.pay.blocksCredited, 0, -1);
  }

  async creditRecordText(height: number, hash: string): Promise<string | null> {
    return this.redis.get(this.pay.credit(height, hash));
  }

  /** The split stored for a pending block, as stored (null when none is stored yet). */
  async splitText(height: number, hash: string): Promise<string | null> {
    return this.redis.get(this.pay.split(height, hash));
  }

  // ── fenced writes ──
  async recordCheck(token: string, block: BlockRecord, status: string, orphanChecks: number, confirmations: number | null): Promise<void> {
    await this.scripts.run(
      'payments-block-check',
      [this.pay.lock, this.keys.blocksPending, this.keys.block(block.height, block.hash)],
      [token, blockId(block.height, block.hash), status, orphanChecks, confirmations === null ? '' : confirmations],
    );
  }

  async orphan(token: string, block: BlockRecord, orphanChecks: number): Promise<boolean> {
    const round = this.keys.round(block.height, block.hash);
    const current = this.keys.currentRound;
    const result = await this.scripts.run(
      'payments-orphan',
      [
        this.pay.lock, this.keys.blocksPending, this.pay.blocksOrphaned, this.keys.block(block.height, block.hash),
        round.addresses, round.workers, round.meta, current.addresses, current.workers, current.meta,
        this.pay.split(block.height, block.hash),
      ],
      [token, blockId(block.height, block.hash), block.height, orphanChecks],
    );
    return result === 1;
  }

  /**
   * Stores a pending block's split unless one is stored already. Resolves with the split text that is stored now (the
   * earlier one wins), or null when the block is no longer pending.
   */
  async storeSplit(token: string, split: BlockSplit): Promise<string | null> {
    const result = await this.scripts.run(
      'payments-split',
      [this.pay.lock, this.keys.blocksPending, this.pay.split(split.height, split.hash)],
      [token, blockId(split.height, split.hash), serializeSplit(split)],
    );
    return typeof result === 'string' ? result : null;
  }

  /**
   * Credits a confirmed block with the split stored for it: `splitText` as splitText() returned it (the script refuses
   * any other). Resolves with the credit record written, or null when the block was not pending (already handled).
   */
  async credit(token: string, splitText: string, confirmations: number, creditedAt: number): Promise<CreditRecord | null> {
    const record: CreditRecord = { ...parseSplit(splitText), creditedAt };
    const result = await this.scripts.run(
      'payments-credit',
      [
        this.pay.lock, this.keys.blocksPending, this.pay.blocksCredited, this.keys.block(record.height, record.hash),
        this.pay.credit(record.height, record.hash), this.pay.unpaid, this.pay.split(record.height, record.hash),
      ],
      [
        token, blockId(record.height, record.hash), record.height, confirmations, serializeCreditRecord(record), splitText,
        ...flatten(record.credits),
      ],
    );
    return result === 1 ? record : null;
  }

  async setImmature(token: string, totals: ReadonlyMap<string, bigint>): Promise<void> {
    await this.scripts.run('payments-immature', [this.pay.lock, this.pay.immature], [token, ...flatten(totals)]);
  }

  /** Writes a new intent or updates the open one with the same id; false when refused (another intent, halted). */
  async writeIntent(token: string, intent: PaymentIntent): Promise<boolean> {
    const result = await this.scripts.run(
      'payments-intent-write',
      [this.pay.lock, this.pay.intent, this.pay.halt],
      [token, intent.id, serializeIntent(intent)],
    );
    return result === 1;
  }

  async dropIntent(token: string, intentId: string): Promise<boolean> {
    return (await this.scripts.run('payments-intent-drop', [this.pay.lock, this.pay.intent], [token, intentId])) === 1;
  }

  async commit(token: string, intent: PaymentIntent, txid: string, paidAt: number): Promise<boolean> {
    const rounds = intent.rounds;
    const history = JSON.stringify({
      id: intent.id,
      txid,
      paidAt,
      amount: intentTotal(intent).toString(),
      recipients: intent.payees.length,
      rounds,
    });
    const blockKeys = rounds.map((id) => {
      const at = id.indexOf(':');
      return this.keys.block(Number(id.slice(0, at)), id.slice(at + 1));
    });
    const result = await this.scripts.run(
      'payments-commit',
      [
        this.pay.lock, this.pay.intent, this.pay.unpaid, this.pay.paid, this.pay.history, this.pay.blocksCredited,
        this.pay.blocksPaid, ...intent.payees.map((p) => this.pay.addressHistory(p.address)), ...blockKeys,
      ],
      [
        token, intent.id, txid, paidAt, PAYMENT_HISTORY_MAX, ADDRESS_HISTORY_MAX, intent.payees.length, history,
        ...intent.payees.flatMap((p) => [p.address, p.amount.toString()]), ...rounds,
      ],
    );
    return result === 1;
  }

  async halt(token: string, reason: string, at: number): Promise<void> {
    await this.scripts.run('payments-flag', [this.pay.lock, this.pay.halt], [token, JSON.stringify({ reason, at }), '']);
  }

  async quarantine(token: string, address: string, reason: string, at: number): Promise<void> {
    await this.scripts.run('payments-flag', [this.pay.lock, this.pay.quarantine], [token, JSON.stringify({ reason, at }), address]);
  }
}

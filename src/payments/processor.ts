// One pool's payment run: lock -> settle an open intent -> classify pending blocks (fix the split of blocks seen in
// the chain for the first time; credit, orphan, immature) -> pay due balances. Every Redis write is a fenced script;
// a run that loses its lock stops at the next step.
import type { PoolConfig } from '../config/types.js';
import type { RpcClient } from '../daemon/rpc-client.js';
import type { Logger } from '../log/logger.js';
import { blockId } from '../redis/keys.js';
import type { BlockRecord } from '../redis/records.js';
import { ChainReader } from './chain.js';
import { classifyBlock, onePerHeight, type ChainFacts } from './classify.js';
import { Payer, type KillPoint, type PayResult } from './payer.js';
import { parseSplit, type BlockSplit } from './credit-record.js';
import { splitBlock } from './split-block.js';
import type { PaymentStore, PendingBlock } from './store.js';

export interface ProcessorOptions {
  readonly pool: PoolConfig;
  readonly store: PaymentStore;
  /** The payment daemon (paymentProcessing.daemon), whose wallet pays. */
  readonly rpc: RpcClient;
  readonly logger: Logger;
  /** Consecutive off-chain checks before a block is orphaned (default 3). */
  readonly orphanAfterChecks?: number;
  /** Outputs per sendmany (default 500). */
  readonly maxOutputs?: number;
  /** Lock lease; renewed before every step (default 120 s). */
  readonly leaseMs?: number;
  /** Deadline of sendmany (default 60 s). */
  readonly sendTimeoutMs?: number;
  readonly now?: () => number;
  readonly killPoint?: (point: KillPoint) => void;
}

export interface RunSummary {
  readonly status: 'locked' | 'halted' | 'done';
  readonly credited: number;
  readonly orphaned: number;
  readonly immature: number;
  /** Blocks still pending after this run (immature, or left as they were); null when the run classified nothing. */
  readonly pending: number | null;
  readonly payment: PayResult | null;
}

/** A split as stored (the exact text is what the credit script compares against) and parsed. */
interface StoredSplit {
  readonly text: string;
  readonly split: BlockSplit;
}

/** On the daemon's main chain: its coinbase and difficulty can be read, so its split can be fixed. */
const onMainChain = (facts: ChainFacts): boolean => facts.confirmations !== null && facts.confirmations >= 1;

class LockLost extends Error {
  override readonly name = 'LockLost';
}

export class PoolPaymentProcessor {
  private readonly log: Logger;
  private readonly chain: ChainReader;
  private readonly now: () => number;
  private readonly leaseMs: number;

  constructor(private readonly o: ProcessorOptions) {
    this.log = o.logger.child({ component: 'payments', pool: o.pool.id });
    this.chain = new ChainReader(o.rpc);
    this.now = o.now ?? Date.now;
    this.leaseMs = o.leaseMs ?? 120_000;
  }

  async runOnce(): Promise<RunSummary> {
    const { store } = this.o;
    const token = await store.acquireLock(this.leaseMs);
    if (token === null) {
      this.log.debug('another processor holds the payment lock');
      return { status: 'locked', credited: 0, orphaned: 0, immature: 0, pending: null, payment: null };
    }
    try {
      return await this.run(token);
    } catch (err) {
      if (err instanceof LockLost) {
        this.log.error('payment lock lost during the run; stopped before the next step');
        return { status: 'locked', credited: 0, orphaned: 0, immature: 0, pending: null, payment: null };
      }
      throw err;
    } finally {
      await store.releaseLock(token).catch((err: Error) => this.log.warn(`could not release the payment lock: ${err.message}`));
    }
  }

  private async run(token: string): Promise<RunSummary> {
    const { store } = this.o;
    const keepLock = async (): Promise<void> => {
      if (!(await store.renewLock(token, this.leaseMs))) throw new LockLost('payment lock lost');
    };
    const halted = await store.halted();
    if (halted !== null) {
      this.log.error(`payments for pool ${this.o.pool.id} are halted until an operator clears ${store.pay.halt}: ${halted}`);
      await this.fixSplitsOnly(token, keepLock);
      return { status: 'halted', credited: 0, orphaned: 0, immature: 0, pending: null, payment: null };
    }
    const payer = new Payer({
      pool: this.o.pool,
      store,
      rpc: this.o.rpc,
      logger: this.log,
      now: this.now,
      maxOutputs: this.o.maxOutputs ?? 500,
      sendTimeoutMs: this.o.sendTimeoutMs ?? 60_000,
      killPoint: this.o.killPoint,
      keepLock,
    });
    // Before anything else: an unsettled intent means the wallet may have paid what Redis still shows as owed.
    const settled = await payer.settleOpenIntent(token);
    if (settled && settled.status !== 'paid') {
      await this.fixSplitsOnly(token, keepLock);
      return { status: settled.status === 'halted' ? 'halted' : 'done', credited: 0, orphaned: 0, immature: 0, pending: null, payment: settled };
    }
    await keepLock();
    const counts = await this.classifyPending(token, keepLock);
    await keepLock();
    const payment = await payer.payDue(token, await store.creditedRounds());
    return { status: payment.status === 'halted' ? 'halted' : 'done', ...counts, payment };
  }

  /**
   * While nothing may be credited or paid (payments halted, an intent unsettled), blocks found meanwhile still get their
   * split fixed: by the time an operator has looked, the share log may no longer hold their PPLNS window. Moves no
   * coins and credits nothing; a daemon that cannot answer leaves it to a later run.
   */
  private async fixSplitsOnly(token: string, keepLock: () => Promise<void>): Promise<void> {
    try {
      const inChain = (await this.pendingWithFacts()).filter(({ facts }) => onMainChain(facts));
      if (inChain.length === 0) return;
      const poolScript = await this.chain.scriptOf(this.o.pool.address);
      for (const { block } of inChain) await this.fixSplit(token, block.record, poolScript, keepLock);
    } catch (err) {
      if (err instanceof LockLost) throw err;
      this.log.warn(`could not fix the splits of new blocks while payments wait: ${(err as Error).message}`);
    }
  }

  /** The pending blocks, each with what the daemon says of it now. */
  private async pendingWithFacts(): Promise<{ block: PendingBlock; facts: ChainFacts }[]> {
    const pending = await this.o.store.pendingBlocks();
    if (pending.length === 0) return [];
    const synced = await this.chain.synced();
    const out: { block: PendingBlock; facts: ChainFacts }[] = [];
    for (const block of pending) out.push({ block, facts: await this.chain.facts(block.record, synced) });
    return out;
  }

  private async classifyPending(
    token: string,
    keepLock: () => Promise<void>,
  ): Promise<{ credited: number; orphaned: number; immature: number; pending: number }> {
    const { store, pool } = this.o;
    const withFacts = await this.pendingWithFacts();
    if (withFacts.length === 0) {
      await store.setImmature(token, new Map());
      return { credited: 0, orphaned: 0, immature: 0, pending: 0 };
    }
    const pending = withFacts.map(({ block }) => block);
    const rules = { coinbaseMaturity: pool.coin.coinbaseMaturity, orphanAfterChecks: this.o.orphanAfterChecks ?? 3 };
    const raw = withFacts.map(({ block, facts }) => ({ block, cls: classifyBlock(block.record, facts, block.orphanChecks, rules) }));
    const inChain = new Set(withFacts.filter(({ facts }) => onMainChain(facts)).map(({ block }) => blockId(block.record.height, block.record.hash)));
    const confirmedBefore = await store.confirmedHeights(pending.map((p) => p.record.height));
    const results = onePerHeight(
      raw.map((r) => ({ block: { ...r.block, height: r.block.record.height, hash: r.block.record.hash }, cls: r.cls })),
      confirmedBefore,
    );
    const poolScript = await this.chain.scriptOf(pool.address);
    const immature = new Map<string, bigint>();
    const showImmature = (split: BlockSplit): void => {
      for (const [address, amount] of split.credits) immature.set(address, (immature.get(address) ?? 0n) + amount);
    };
    let credited = 0;
    let orphaned = 0;
    let immatureCount = 0;
    for (const { block, cls } of results) {
      // A long PPLNS walk per block could outlast the lease: renew before each block's write.
      await keepLock();
      const record = block.record;
      const id = blockId(record.height, record.hash);
      const split = inChain.has(id) ? await this.fixSplit(token, record, poolScript, keepLock) : null;
      switch (cls.status) {
        case 'confirmed': {
          // Null: the block left blocks:pending since this run listed it.
          if (split === null) break;
          const credit = await store.credit(token, split.text, cls.confirmations, this.now());
          if (credit) {
            credited++;
            this.log.info(`block ${id} confirmed: ${credit.amount} credited to ${credit.credits.size} addresses`);
          }
          break;
        }
        case 'immature': {
          immatureCount++;
          if (split !== null) showImmature(split.split);
          await store.recordCheck(token, record, 'immature', 0, cls.confirmations);
          break;
        }
        case 'missing':
          this.log.warn(`block ${id} is off the main chain (check ${cls.misses} of ${rules.orphanAfterChecks})`);
          await store.recordCheck(token, record, record.status, cls.misses, -1);
          break;
        case 'orphaned':
          if (await store.orphan(token, record, cls.misses)) {
            orphaned++;
            this.log.warn(`block ${id} orphaned after ${cls.misses} checks; its round's work returns to the current round`);
          }
          break;
        case 'unchanged': {
          this.log.info(`block ${id} left as it is: ${cls.reason}`);
          // Still maturing as far as anyone knows: keep showing what it will pay.
          const known = split ?? (await this.storedSplit(record));
          if (known !== null) showImmature(known.split);
          break;
        }
      }
    }
    await store.setImmature(token, immature);
    return { credited, orphaned, immature: immatureCount, pending: pending.length - credited - orphaned };
  }

  /**
   * The block's split as stored. The first pass that finds the block in the chain computes and stores it; every later
   * pass (and the credit at maturity) reads it back and never recomputes it, whatever the share log holds by then.
   * A run that dies before the store leaves nothing behind and the next pass computes it again; a store that finds a
   * split already there keeps that one. Null when the block is no longer pending.
   */
  private async fixSplit(
    token: string,
    record: BlockRecord,
    poolScript: string,
    keepLock: () => Promise<void>,
  ): Promise<StoredSplit | null> {
    const { store, pool } = this.o;
    const stored = await this.storedSplit(record);
    if (stored !== null) return stored;
    const computed = await splitBlock(pool, record, store, this.chain, poolScript, this.now());
    const id = blockId(record.height, record.hash);
    if (computed.windowWork !== null) {
      let covered = 0n;
      for (const w of computed.weights.values()) covered += w;
      if (covered < computed.windowWork) {
        this.log.warn(
          `block ${id}: the share log holds only ${covered} of the PPLNS window's ${computed.windowWork} work units ` +
            '(a young pool, or a share log bound smaller than one window plus a payment interval of shares)',
        );
      }
    }
    // A long PPLNS walk may have used up much of the lease.
    await keepLock();
    this.o.killPoint?.('before-split-store');
    const text = await store.storeSplit(token, computed);
    this.o.killPoint?.('after-split-store');
    if (text === null) return null;
    const split = parseSplit(text);
    this.log.info(`block ${id}: split fixed, ${split.amount} to ${split.credits.size} addresses (${split.scheme})`);
    return { text, split };
  }

  private async storedSplit(record: BlockRecord): Promise<StoredSplit | null> {
    const text = await this.o.store.splitText(record.height, record.hash);
    return text === null ? null : { text, split: parseSplit(text) };
  }
}

// Pure: raw pool data + network figures + the previous history -> the snapshot pages and the API serve.
// Kept free of Redis and clocks (now is passed in) so every figure is unit-tested against hand-computed values.
import type { PoolConfig } from '../config/types.js';
import { blockWorkOf, hashrateOf } from './hashrate.js';
import { addressOfLogin, minerAddresses } from './miner-set.js';
import type {
  BlockView,
  HistoryPoint,
  MinerHistoryPoint,
  MinerSnapshot,
  NetworkInfo,
  PoolSnapshot,
  RawAddressPayment,
  RawBalance,
  RawBlock,
  RawPoolData,
  WorkerView,
} from './types.js';

/** Bitcoin-family coins count 10^8 base units to a coin. */
export const COIN_DECIMALS = 8;
/** Newest payments kept per miner snapshot (the page shows a history, not an archive). */
export const MINER_PAYMENTS_SHOWN = 50;

export interface ComputeInput {
  readonly pool: PoolConfig;
  readonly multiplier: number;
  readonly raw: RawPoolData;
  readonly network: NetworkInfo | null;
  readonly now: number;
  /** Points of earlier refreshes, oldest first, for averages (only the miner set's are needed). */
  readonly minerHistory: ReadonlyMap<string, readonly MinerHistoryPoint[]>;
}

export interface ComputedStats {
  readonly pool: PoolSnapshot;
  readonly miners: readonly MinerSnapshot[];
  readonly historyPoint: HistoryPoint;
  readonly minerPoints: ReadonlyMap<string, MinerHistoryPoint>;
}

export function toBlockView(block: RawBlock, maturity: number): BlockView {
  return {
    height: block.height,
    hash: block.hash,
    status: block.status,
    reward: block.reward.toString(),
    finder: block.finder,
    worker: block.worker,
    foundAt: block.foundAt,
    confirmations: block.confirmations,
    maturity,
  };
}

export interface MinerFigures {
  readonly pool: string;
  readonly address: string;
  readonly now: number;
  readonly hashrate: number;
  /** Stored points of earlier refreshes inside the history span, oldest first. */
  readonly history: readonly MinerHistoryPoint[];
  readonly roundShares: number;
  readonly balance: RawBalance | undefined;
  readonly workers: readonly WorkerView[];
  /** Newest first. */
  readonly payments: readonly RawAddressPayment[];
}

/** One miner's snapshot: the refresher's for the miner set and the on-demand answer for any other address. */
export function minerSnapshot(m: MinerFigures): MinerSnapshot {
  const points = [...m.history, [Math.floor(m.now / 1000), m.hashrate] as const];
  return {
    pool: m.pool,
    address: m.address,
    updatedAt: m.now,
    hashrate: m.hashrate,
    averageHashrate: points.reduce((sum, p) => sum + p[1], 0) / points.length,
    roundShares: m.roundShares,
    immature: (m.balance?.immature ?? 0n).toString(),
    unpaid: (m.balance?.unpaid ?? 0n).toString(),
    paid: (m.balance?.paid ?? 0n).toString(),
    workers: m.workers,
    payments: m.payments.slice(0, MINER_PAYMENTS_SHOWN).map((p) => ({ txid: p.txid, paidAt: p.paidAt, amount: p.amount.toString() })),
  };
}

/** Addresses owed something: they stay in the miner set until paid, whatever they mine. */
export function owedAddresses(balances: ReadonlyMap<string, RawBalance>): string[] {
  return [...balances].filter(([, b]) => b.immature > 0n || b.unpaid > 0n).map(([address]) => address);
}

export function computeStats(input: ComputeInput): ComputedStats {
  const { pool, raw, multiplier, now, network } = input;
  const window = raw.windowSeconds;
  const rate = (difficulty: number): number => hashrateOf(difficulty, window, multiplier);
  // A worker is online while its last share is inside the window: the same span its hashrate is measured over.
  const onlineSince = now - window * 1000;

  // Pool and per-address figures come from the whole window: the worker list is bounded (newest first), and a
  // flood of throw-away logins must not push real miners' work out of the totals.
  const windowByAddress = new Map<string, number>();
  let poolDifficulty = 0;
  let activeWorkers = 0;
  for (const [login, difficulty] of raw.window) {
    if (!(difficulty > 0)) continue;
    poolDifficulty += difficulty;
    activeWorkers += 1;
    const address = addressOfLogin(login);
    windowByAddress.set(address, (windowByAddress.get(address) ?? 0) + difficulty);
  }
  const activeMiners = windowByAddress.size;

  const byAddress = new Map<string, WorkerView[]>();
  for (const w of raw.workers) {
    const views = byAddress.get(w.address) ?? [];
    views.push({
      name: w.name,
      hashrate: rate(w.windowDifficulty),
      lastShareAt: w.lastShareAt,
      online: w.lastShareAt !== null && w.lastShareAt >= onlineSince,
      validShares: w.validShares,
      invalidShares: w.invalidShares,
    });
    byAddress.set(w.address, views);
  }

  const roundShares = Object.values(raw.roundShares).reduce((sum, d) => sum + d, 0);
  const maturity = pool.coin.coinbaseMaturity;
  const blocks = raw.blocks.map((b) => toBlockView(b, maturity));
  const lastBlock = blocks.reduce<BlockView | null>((latest, b) => (latest === null || b.foundAt > latest.foundAt ? b : latest), null);
  const nowSeconds = Math.floor(now / 1000);

  const poolSnapshot: PoolSnapshot = {
    id: pool.id,
    coin: { name: pool.coin.name, symbol: pool.coin.symbol, algorithm: pool.coin.algorithm, decimals: COIN_DECIMALS },
    updatedAt: now,
    windowSeconds: window,
    hashrate: rate(poolDifficulty),
    miners: activeMiners,
    workers: activeWorkers,
    network,
    fee: pool.rewardRecipients.reduce((sum, r) => sum + r.percent, 0),
    scheme: pool.paymentProcessing.scheme,
    minimumPayment: pool.paymentProcessing.minimumPayment,
    ports: pool.ports.map((p) => ({
      port: p.port,
      diff: p.diff,
      varDiff: p.varDiff ? { minDiff: p.varDiff.minDiff, maxDiff: p.varDiff.maxDiff } : null,
      tls: p.tls !== null,
    })),
    lastBlock,
    roundShares,
    roundEffort: network && network.difficulty > 0 ? roundShares / blockWorkOf(network.difficulty, multiplier) : null,
    blockCounts: raw.blockCounts,
    blocks,
    payments: raw.payments.map((p) => ({ txid: p.txid, paidAt: p.paidAt, amount: p.amount.toString(), recipients: p.recipients })),
  };

  // Other addresses (paid and gone) are answered on demand by SnapshotStore.miner, not rewritten every refresh.
  const addresses = minerAddresses({ window: raw.window, workers: raw.workers, roundShares: raw.roundShares, owed: owedAddresses(raw.balances) });
  const miners: MinerSnapshot[] = [];
  const minerPoints = new Map<string, MinerHistoryPoint>();
  for (const address of addresses) {
    const hashrate = rate(windowByAddress.get(address) ?? 0);
    minerPoints.set(address, [nowSeconds, hashrate]);
    miners.push(
      minerSnapshot({
        pool: pool.id,
        address,
        now,
        hashrate,
        history: input.minerHistory.get(address) ?? [],
        roundShares: raw.roundShares[address] ?? 0,
        balance: raw.balances.get(address),
        workers: (byAddress.get(address) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
        payments: raw.addressPayments.get(address) ?? [],
      }),
    );
  }

  return {
    pool: poolSnapshot,
    miners,
    historyPoint: [nowSeconds, poolSnapshot.hashrate, activeMiners, activeWorkers],
    minerPoints,
  };
}

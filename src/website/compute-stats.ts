// Pure: raw pool data + network figures + the previous history -> the snapshot pages and the API serve.
// Kept free of Redis and clocks (now is passed in) so every figure is unit-tested against hand-computed values.
import type { PoolConfig } from '../config/types.js';
import { blockWorkOf, hashrateOf } from './hashrate.js';
import type {
  BlockView,
  HistoryPoint,
  MinerHistoryPoint,
  MinerSnapshot,
  NetworkInfo,
  PoolSnapshot,
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
  /** Points of earlier refreshes, oldest first, for averages. */
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

export function computeStats(input: ComputeInput): ComputedStats {
  const { pool, raw, multiplier, now, network } = input;
  const window = raw.windowSeconds;
  const rate = (difficulty: number): number => hashrateOf(difficulty, window, multiplier);
  // A worker is online while its last share is inside the window: the same span its hashrate is measured over.
  const onlineSince = now - window * 1000;

  const byAddress = new Map<string, WorkerView[]>();
  const windowByAddress = new Map<string, number>();
  let poolDifficulty = 0;
  let activeWorkers = 0;
  for (const w of raw.workers) {
    poolDifficulty += w.windowDifficulty;
    if (w.windowDifficulty > 0) activeWorkers += 1;
    windowByAddress.set(w.address, (windowByAddress.get(w.address) ?? 0) + w.windowDifficulty);
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
  const activeMiners = [...windowByAddress.values()].filter((d) => d > 0).length;

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

  // Every address the pool knows something about gets a page: miners that went quiet still have balances.
  const addresses = new Set<string>([...byAddress.keys(), ...raw.balances.keys(), ...Object.keys(raw.roundShares)]);
  const miners: MinerSnapshot[] = [];
  const minerPoints = new Map<string, MinerHistoryPoint>();
  for (const address of addresses) {
    const hashrate = rate(windowByAddress.get(address) ?? 0);
    const point: MinerHistoryPoint = [nowSeconds, hashrate];
    minerPoints.set(address, point);
    const history = [...(input.minerHistory.get(address) ?? []), point];
    const balance = raw.balances.get(address);
    const workers = (byAddress.get(address) ?? []).sort((a, b) => a.name.localeCompare(b.name));
    miners.push({
      pool: pool.id,
      address,
      updatedAt: now,
      hashrate,
      averageHashrate: history.reduce((sum, p) => sum + p[1], 0) / history.length,
      roundShares: raw.roundShares[address] ?? 0,
      immature: (balance?.immature ?? 0n).toString(),
      unpaid: (balance?.unpaid ?? 0n).toString(),
      paid: (balance?.paid ?? 0n).toString(),
      workers,
      payments: (raw.addressPayments.get(address) ?? [])
        .slice(0, MINER_PAYMENTS_SHOWN)
        .map((p) => ({ txid: p.txid, paidAt: p.paidAt, amount: p.amount.toString() })),
    });
  }

  return {
    pool: poolSnapshot,
    miners,
    historyPoint: [nowSeconds, poolSnapshot.hashrate, activeMiners, activeWorkers],
    minerPoints,
  };
}

// Shapes the website works with. Raw* types are what the recording and payment sides keep in Redis, as the
// website needs them; *Snapshot types are what the refresher computes and pages and the API serve.
// Amounts in base units travel as decimal strings (JSON has no bigint, and a double loses litoshis past 2^53).

/** One worker (`address.worker` login) as the share recorder keeps it. */
export interface RawWorker {
  /** The full login, e.g. `Qabc....rig1`; the part before the first dot is the address. */
  readonly name: string;
  readonly address: string;
  /** Sum of credited share difficulty inside the hashrate window. */
  readonly windowDifficulty: number;
  /** Milliseconds since the epoch of the last accepted share, or null when unknown. */
  readonly lastShareAt: number | null;
  readonly validShares: number;
  readonly invalidShares: number;
}

export type BlockStatus = 'pending' | 'confirmed' | 'orphaned';

export interface RawBlock {
  readonly height: number;
  readonly hash: string;
  readonly status: BlockStatus;
  /** Base units. */
  readonly reward: bigint;
  readonly finder: string;
  readonly worker: string;
  readonly foundAt: number;
  readonly confirmations: number | null;
}

export interface RawPayment {
  readonly txid: string;
  readonly paidAt: number;
  /** Base units, total of every output. */
  readonly amount: bigint;
  readonly recipients: number;
}

export interface RawAddressPayment {
  readonly txid: string;
  readonly paidAt: number;
  readonly amount: bigint;
}

export interface RawBalance {
  readonly immature: bigint;
  readonly unpaid: bigint;
  readonly paid: bigint;
}

/** Everything the refresher reads for one pool, in one pass. Lists are bounded by the source (newest first). */
export interface RawPoolData {
  /** Seconds of share history the window sums cover (the hashrate divisor). */
  readonly windowSeconds: number;
  /**
   * Credited difficulty per worker login inside the window, for every login that has any: pool and per-address
   * figures come from here, so the bound on `workers` never changes them.
   */
  readonly window: ReadonlyMap<string, number>;
  /** The workers the pages list: the most recently active ones, at most the source's bound. */
  readonly workers: readonly RawWorker[];
  /** Current round: credited difficulty per address. */
  readonly roundShares: Readonly<Record<string, number>>;
  readonly blocks: readonly RawBlock[];
  readonly blockCounts: Readonly<Record<BlockStatus, number>>;
  readonly payments: readonly RawPayment[];
  /** Balances of the miner set's addresses (miner-set.ts): every address owed something is in it. */
  readonly balances: ReadonlyMap<string, RawBalance>;
  readonly addressPayments: ReadonlyMap<string, readonly RawAddressPayment[]>;
}

/** What the website needs from the recording side. The Redis binding implements it; tests may fake it. */
export interface StatsSource {
  readPool(poolId: string, now: number): Promise<RawPoolData>;
}

export interface NetworkInfo {
  readonly height: number;
  readonly difficulty: number;
  readonly hashrate: number;
}

/** Network figures per pool (from the pool's daemons), or null when no daemon answered. */
export interface NetworkSource {
  read(poolId: string): Promise<NetworkInfo | null>;
}

export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly status: BlockStatus;
  readonly reward: string;
  readonly finder: string;
  readonly worker: string;
  readonly foundAt: number;
  readonly confirmations: number | null;
  /** Confirmations a coinbase needs before it is paid. */
  readonly maturity: number;
}

export interface PaymentView {
  readonly txid: string;
  readonly paidAt: number;
  readonly amount: string;
  readonly recipients: number;
}

export interface PortView {
  readonly port: number;
  readonly diff: number;
  readonly varDiff: { readonly minDiff: number; readonly maxDiff: number } | null;
  /** Stratum over TLS (stratum+ssl://) rather than plain TCP. */
  readonly tls: boolean;
}

export interface PoolSnapshot {
  readonly id: string;
  readonly coin: { readonly name: string; readonly symbol: string; readonly algorithm: string; readonly decimals: number };
  readonly updatedAt: number;
  readonly windowSeconds: number;
  /** Hashes per second over the window. */
  readonly hashrate: number;
  readonly miners: number;
  readonly workers: number;
  readonly network: NetworkInfo | null;
  /** Percent of each block kept by reward recipients. */
  readonly fee: number;
  readonly scheme: string;
  /** Base units. */
  readonly minimumPayment: string;
  readonly ports: readonly PortView[];
  readonly lastBlock: BlockView | null;
  /** Credited difficulty of the current round. */
  readonly roundShares: number;
  /** Round work divided by the work one block takes on average (1 = 100 %), null without network figures. */
  readonly roundEffort: number | null;
  readonly blockCounts: Readonly<Record<BlockStatus, number>>;
  readonly blocks: readonly BlockView[];
  readonly payments: readonly PaymentView[];
}

export interface WorkerView {
  readonly name: string;
  readonly hashrate: number;
  readonly lastShareAt: number | null;
  readonly online: boolean;
  readonly validShares: number;
  readonly invalidShares: number;
}

export interface MinerSnapshot {
  readonly pool: string;
  readonly address: string;
  readonly updatedAt: number;
  readonly hashrate: number;
  /** Mean of the recorded history points (up to 24 h). */
  readonly averageHashrate: number;
  readonly roundShares: number;
  readonly immature: string;
  readonly unpaid: string;
  readonly paid: string;
  readonly workers: readonly WorkerView[];
  readonly payments: readonly { readonly txid: string; readonly paidAt: number; readonly amount: string }[];
}

/** One chart point: [seconds since the epoch, hashrate, miners, workers] (compact: a day of points per key). */
export type HistoryPoint = readonly [time: number, hashrate: number, miners: number, workers: number];
/** One per-miner chart point: [seconds since the epoch, hashrate]. */
export type MinerHistoryPoint = readonly [time: number, hashrate: number];

// Every Prometheus metric Headframe exports, defined once. Each process builds one set on its own registry; the
// master merges all processes' registries into one exposition (cluster.ts), so the same name must mean the same
// thing everywhere. Labels are small, known sets (pool, daemon, result/reason, target/method): never a miner,
// worker or address, which are unbounded and belong in Redis.
//
// Every series also carries the process it comes from (`role`, `fork`: process-registry.ts), and the master adds
// nothing up: a process that restarts or misses a scrape must reset or leave a gap in its own series only, never
// lower a pool-wide total (Prometheus reads any decrease of a counter as a reset and counts the value after it as
// new). Queries aggregate: `sum by (pool)` for counters, connections and queues; `max by (pool)` for what every
// process sees alike (heights, difficulties, hashes per difficulty, website and payment figures); `min by (pool,
// daemon)` for daemon health.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createOutboundMetrics, type OutboundMetrics } from './outbound.js';

export const METRIC_PREFIX = 'headframe_';

/** Seconds; covers a share check (sub-millisecond) up to a slow Redis round trip. */
const SHARE_CHECK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Seconds; a job to a handful of miners (well under a millisecond) up to tens of thousands on one fork. */
const BROADCAST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface PoolMetrics {
  readonly connections: Gauge<'pool'>;
  readonly disconnects: Counter<'pool' | 'reason'>;
  readonly bans: Counter<'pool' | 'reason'>;
  /** result: valid | stale | duplicate | invalid; reason: "ok" for valid shares, the reject reason otherwise. */
  readonly shares: Counter<'pool' | 'result' | 'reason'>;
  /** Sum of the difficulty accepted shares were credited at: rate() of it times diff1 hashes gives hashrate. */
  readonly shareDifficulty: Counter<'pool'>;
  readonly shareCheckDuration: Histogram<'pool'>;
  /** Time one fork takes to write a job to all of its miners; kind: new-block (clean_jobs) or update. */
  readonly jobBroadcastDuration: Histogram<'pool' | 'kind'>;
  /** Miners this fork wrote its last job to (sum by pool for the pool's). */
  readonly jobBroadcastMiners: Gauge<'pool'>;
  /** Hashes one unit of share difficulty stands for (2^32 / the algorithm's multiplier): hashrate = rate(shareDifficulty) * this. */
  readonly hashesPerDifficulty: Gauge<'pool'>;
  /** The pool hashrate as the website's stats refresher computes it (from Redis share windows). */
  readonly poolHashrate: Gauge<'pool'>;
  readonly blockCandidates: Counter<'pool'>;
  /** Submitted block candidates by the daemons' verdict (accepted, stale, rejected, unknown). */
  readonly blockSubmissions: Counter<'pool' | 'verdict'>;
  readonly blocksFound: Counter<'pool'>;
  readonly blocksConfirmed: Counter<'pool'>;
  readonly blocksOrphaned: Counter<'pool'>;
  readonly blocksPending: Gauge<'pool'>;
  /** Coinbase value of blocks the daemon accepted, in the coin's base unit (litoshis). */
  readonly minedBaseUnits: Counter<'pool'>;
  readonly networkDifficulty: Gauge<'pool'>;
  readonly networkHeight: Gauge<'pool'>;
  readonly daemonUp: Gauge<'pool' | 'daemon'>;
  /** Shares waiting in memory while Redis is unreachable. */
  readonly shareQueueLength: Gauge<'pool'>;
  /**
   * Share records the full outage queue could not take. kind "share": an accepted share the miner was told was not
   * accepted; kind "invalid": a rejected share that went uncounted in Redis.
   */
  readonly shareRecordsRefused: Counter<'pool' | 'kind'>;
  readonly shareRecordsLostInRedis: Counter<'pool'>;
}

export interface PaymentMetrics {
  readonly runs: Counter<'pool' | 'result'>;
  readonly payments: Counter<'pool'>;
  /** Sum paid out, in the coin's base unit. */
  readonly paidBaseUnits: Counter<'pool'>;
  /** 1 while payments for the pool are halted because a payment's outcome is unknown. */
  readonly halted: Gauge<'pool'>;
  readonly lastSuccess: Gauge<'pool'>;
}

export interface HeadframeMetrics {
  readonly registry: Registry;
  readonly pool: PoolMetrics;
  readonly payments: PaymentMetrics;
  readonly outbound: OutboundMetrics;
  readonly processUp: Gauge<'role'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return new Gauge({ name: METRIC_PREFIX + name, help, labelNames, registers: [registry] });
}

/** Defines every metric on `registry` (a fresh one per process; never prom-client's global registry). */
export function createMetrics(registry: Registry): HeadframeMetrics {
  const r = registry;
  const pool: PoolMetrics = {
    connections: gauge(r, 'stratum_connections', 'Open stratum connections.', ['pool']),
    disconnects: counter(r, 'stratum_disconnects_total', 'Closed stratum connections by reason.', ['pool', 'reason']),
    bans: counter(r, 'stratum_bans_total', 'IP bans by reason.', ['pool', 'reason']),
    shares: counter(r, 'shares_total', 'Submitted shares by result and reject reason.', ['pool', 'result', 'reason']),
    shareDifficulty: counter(r, 'share_difficulty_total', 'Sum of the difficulty of accepted shares.', ['pool']),
    shareCheckDuration: new Histogram({
      name: `${METRIC_PREFIX}share_check_duration_seconds`,
      help: 'Time from a share submission to its final verdict.',
      labelNames: ['pool'],
      buckets: SHARE_CHECK_BUCKETS,
      registers: [r],
    }),
    jobBroadcastDuration: new Histogram({
      name: `${METRIC_PREFIX}job_broadcast_duration_seconds`,
      help: 'Time one pool worker fork takes to write a new job to all of its miners, by kind (new-block, update).',
      labelNames: ['pool', 'kind'],
      buckets: BROADCAST_BUCKETS,
      registers: [r],
    }),
    jobBroadcastMiners: gauge(r, 'job_broadcast_miners', 'Miners the last job was written to.', ['pool']),
    hashesPerDifficulty: gauge(r, 'pool_hashes_per_share_difficulty', 'Hashes one unit of share difficulty stands for.', ['pool']),
    poolHashrate: gauge(r, 'pool_hashrate_hashes_per_second', 'Pool hashrate as the website computes it.', ['pool']),
    blockCandidates: counter(r, 'block_candidates_total', 'Shares that met the network target.', ['pool']),
    blockSubmissions: counter(r, 'block_submissions_total', 'Submitted blocks by the daemons\' verdict.', ['pool', 'verdict']),
    blocksFound: counter(r, 'blocks_found_total', 'Blocks the daemon accepted onto its main chain.', ['pool']),
    blocksConfirmed: counter(r, 'blocks_confirmed_total', 'Found blocks that reached coinbase maturity.', ['pool']),
    blocksOrphaned: counter(r, 'blocks_orphaned_total', 'Found blocks that left the main chain.', ['pool']),
    blocksPending: gauge(r, 'blocks_pending', 'Found blocks waiting for maturity.', ['pool']),
    minedBaseUnits: counter(r, 'mined_base_units_total', 'Coinbase value of found blocks, in base units.', ['pool']),
    networkDifficulty: gauge(r, 'network_difficulty', 'Network difficulty of the current block template.', ['pool']),
    networkHeight: gauge(r, 'network_height', 'Height of the block the pool is mining.', ['pool']),
    daemonUp: gauge(r, 'daemon_up', '1 while the daemon answers, 0 while it is marked down.', ['pool', 'daemon']),
    shareQueueLength: gauge(r, 'share_queue_length', 'Shares queued in memory while Redis is unreachable.', ['pool']),
    shareRecordsRefused: counter(r, 'share_records_refused_total', 'Share records refused because the Redis outage queue was full, by kind (share, invalid).', ['pool', 'kind']),
    shareRecordsLostInRedis: counter(r, 'share_records_lost_in_redis_total', 'Share records Redis acknowledged and then lost (a restart without them, a failover to a lagging replica).', ['pool']),
  };
  const payments: PaymentMetrics = {
    runs: counter(r, 'payment_runs_total', 'Payment processor runs by result (ok, skipped, failed, halted).', ['pool', 'result']),
    payments: counter(r, 'payments_total', 'Payout transactions sent.', ['pool']),
    paidBaseUnits: counter(r, 'paid_base_units_total', 'Amount paid to miners, in base units.', ['pool']),
    halted: gauge(r, 'payments_halted', '1 while payments are halted for an operator.', ['pool']),
    lastSuccess: gauge(r, 'payment_last_success_timestamp_seconds', 'End of the last successful payment run.', ['pool']),
  };
  return {
    registry,
    pool,
    payments,
    outbound: createOutboundMetrics(registry),
    processUp: gauge(r, 'process_up', 'Headframe processes running, by role.', ['role']),
  };
}

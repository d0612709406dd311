// Turns one pool runtime's events into metrics. Listens only; never changes what the pool does, and a metrics
// failure can never reach a miner (prom-client's inc/set/observe do not throw on valid label values).
import type { DaemonErrorCode } from '../daemon/errors.js';
import type { DaemonSetEvent } from '../daemon/daemon-set.js';
import type { Gauge, LabelValues } from 'prom-client';
import type { BlockCandidate, BlockOutcome } from '../mining/block-submitter.js';
import type { ShareRejectReason } from '../mining/types.js';
import type { BanEvent, DisconnectEvent, JobBroadcast, ShareEvent } from '../stratum/events.js';
import type { HeadframeMetrics } from './metrics.js';
import { recordCall, type FailureReason } from './outbound.js';

/** The events of a PoolRuntime that metrics read (structural, so tests can drive it with a plain emitter). */
export interface InstrumentedPool {
  readonly pool: { readonly id: string; readonly daemons: readonly { readonly host: string; readonly port: number }[] };
  on(event: 'share', listener: (event: ShareEvent) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'disconnect', listener: (event: DisconnectEvent) => void): unknown;
  on(event: 'ban', listener: (event: BanEvent) => void): unknown;
  on(event: 'daemon', listener: (event: DaemonSetEvent) => void): unknown;
  on(event: 'broadcast', listener: (broadcast: JobBroadcast) => void): unknown;
  on(event: 'template', listener: (template: { readonly height: number; readonly target: bigint }) => void): unknown;
  on(event: 'blockCandidate', listener: (candidate: BlockCandidate) => void): unknown;
  on(event: 'block', listener: (outcome: BlockOutcome) => void): unknown;
  on(event: 'recorder', listener: (state: ShareQueueState) => void): unknown;
  /** stop() began: this runtime no longer serves the pool (replaced, discarded by a failed reload, or disabled). */
  on(event: 'stopping', listener: () => void): unknown;
}

/** Bitcoin's difficulty-1 target; daemons report network difficulty against it for every algorithm. */
const NETWORK_DIFF1 = 0xffffn << 208n;

/** Network difficulty as getdifficulty reports it, from the template's target. */
export function networkDifficulty(target: bigint): number {
  if (target <= 0n) return 0;
  // Scaled by 2^320 so the integer quotient keeps a float's full precision even for regtest's target near 2^255.
  return Number((NETWORK_DIFF1 << 320n) / target) / 2 ** 320;
}

/** Stale and duplicate shares are their own results; every other rejection is "invalid" with its reason. */
export function shareResult(outcome: ShareEvent['outcome']): { result: string; reason: string } {
  if (outcome.ok) return { result: 'valid', reason: 'ok' };
  const reason: ShareRejectReason = outcome.reason;
  if (reason === 'job-not-found') return { result: 'stale', reason };
  if (reason === 'duplicate') return { result: 'duplicate', reason };
  return { result: 'invalid', reason };
}

export function daemonFailureReason(code: DaemonErrorCode | null): FailureReason | null {
  switch (code) {
    case null:
      return null;
    case 'DAEMON_TIMEOUT':
      return 'timeout';
    case 'DAEMON_HTTP':
      return 'http';
    case 'DAEMON_RPC':
    case 'DAEMON_BAD_RESPONSE':
      return 'api';
    case 'DAEMON_NETWORK':
    case 'DAEMON_ALL_DOWN':
      return 'network';
  }
}

type AnyGauge = Gauge<string>;

/**
 * The gauge series one runtime describes itself with: its daemons' health, its template, its last broadcast, its
 * recorder's queue, its algorithm. During a reload two runtimes of one pool live side by side, and the new one may
 * yet be discarded (no template within the deadline, a port that does not bind), so the oldest live runtime of a
 * pool owns these series until it stops. Only then does the next one's state replace them, and the series of
 * daemons it does not have are removed: a replaced daemon's `daemon_up 0` would otherwise stay exported (and keep
 * its alert firing) for the life of the process. A runtime that stops without ever owning them never wrote one.
 * Counters, histograms and connection counts are not owned: every runtime's events are real and add to them.
 */
class RuntimeGauges {
  private readonly written = new Map<AnyGauge, Map<string, { labels: LabelValues<string>; value: number }>>();
  private stopped = false;

  /** `live`: the pool's live runtimes in this process, oldest first; this one joins at the end. */
  constructor(private readonly live: RuntimeGauges[]) {
    live.push(this);
  }

  set(gauge: AnyGauge, labels: LabelValues<string>, value: number): void {
    if (this.stopped) return;
    let series = this.written.get(gauge);
    if (!series) this.written.set(gauge, (series = new Map()));
    series.set(seriesKey(labels), { labels, value });
    if (this.live[0] === this) gauge.set(labels, value);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const owned = this.live[0] === this;
    this.live.splice(this.live.indexOf(this), 1);
    if (!owned) return;
    const next = this.live[0];
    for (const [gauge, series] of this.written) {
      for (const [key, { labels }] of series) if (!next?.written.get(gauge)?.has(key)) gauge.remove(labels);
    }
    next?.publish();
  }

  private publish(): void {
    for (const [gauge, series] of this.written) for (const { labels, value } of series.values()) gauge.set(labels, value);
  }
}

function seriesKey(labels: LabelValues<string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Live runtimes per pool id, per process registry (tests build several registries in one process). */
const livePools = new WeakMap<HeadframeMetrics, Map<string, RuntimeGauges[]>>();

function runtimeGauges(metrics: HeadframeMetrics, pool: string): RuntimeGauges {
  let pools = livePools.get(metrics);
  if (!pools) livePools.set(metrics, (pools = new Map()));
  let live = pools.get(pool);
  if (!live) pools.set(pool, (live = []));
  return new RuntimeGauges(live);
}

/**
 * `multiplier` is the pool algorithm's share multiplier (PowAlgorithm.multiplier). Safe to call again for a runtime
 * that replaces another of the same pool (reloadpool): counters are never reset, and the new runtime's gauges take
 * over when the one it replaces stops (RuntimeGauges).
 */
export function instrumentPool(runtime: InstrumentedPool, metrics: HeadframeMetrics, multiplier: number): void {
  const m = metrics.pool;
  const pool = runtime.pool.id;
  const own = runtimeGauges(metrics, pool);
  runtime.on('stopping', () => own.stop());
  // Series exist from the start, so rate() and absent() work before the first miner or block.
  m.connections.inc({ pool }, 0);
  own.set(m.hashesPerDifficulty, { pool }, 2 ** 32 / multiplier);
  m.shareDifficulty.inc({ pool }, 0);
  m.blocksFound.inc({ pool }, 0);
  m.blockCandidates.inc({ pool }, 0);
  m.minedBaseUnits.inc({ pool }, 0);
  m.shares.inc({ pool, result: 'valid', reason: 'ok' }, 0);
  for (const d of runtime.pool.daemons) own.set(m.daemonUp, { pool, daemon: `${d.host}:${d.port}` }, 1);
  m.shareRecordsRefused.inc({ pool, kind: 'share' }, 0);
  m.shareRecordsRefused.inc({ pool, kind: 'invalid' }, 0);
  // Each runtime has its own recorder, starting with an empty queue.
  own.set(m.shareQueueLength, { pool }, 0);
  runtime.on('recorder', shareQueueHook(metrics, pool, (queued) => own.set(m.shareQueueLength, { pool }, queued)));

  runtime.on('connect', () => m.connections.inc({ pool }));
  runtime.on('disconnect', (event) => {
    m.connections.dec({ pool });
    m.disconnects.inc({ pool, reason: event.reason });
  });
  runtime.on('ban', (event) => m.bans.inc({ pool, reason: event.reason }));
  runtime.on('share', (event) => {
    m.shares.inc({ pool, ...shareResult(event.outcome) });
    if (event.outcome.ok) m.shareDifficulty.inc({ pool }, event.outcome.difficulty);
    m.shareCheckDuration.observe({ pool }, event.latencyMs / 1000);
  });
  runtime.on('broadcast', (broadcast) => {
    m.jobBroadcastDuration.observe({ pool, kind: broadcast.cleanJobs ? 'new-block' : 'update' }, broadcast.seconds);
    own.set(m.jobBroadcastMiners, { pool }, broadcast.miners);
  });
  runtime.on('template', (template) => {
    own.set(m.networkHeight, { pool }, template.height);
    own.set(m.networkDifficulty, { pool }, networkDifficulty(template.target));
  });
  runtime.on('blockCandidate', () => m.blockCandidates.inc({ pool }));
  runtime.on('block', (outcome) => {
    m.blockSubmissions.inc({ pool, verdict: outcome.verdict });
    if (outcome.verdict !== 'accepted') return;
    m.blocksFound.inc({ pool });
    // Counters are floats: a litoshi total stays exact up to 2^53 (90 million LTC), far beyond one process's life.
    m.minedBaseUnits.inc({ pool }, Number(outcome.candidate.reward));
  });
  runtime.on('daemon', (event) => {
    switch (event.type) {
      case 'request':
        recordCall(metrics.outbound, {
          target: event.daemon,
          method: event.method,
          durationMs: event.durationMs,
          failure: daemonFailureReason(event.errorCode),
          retry: event.retry,
        });
        return;
      case 'down':
        own.set(m.daemonUp, { pool, daemon: event.daemon }, 0);
        return;
      case 'up':
        own.set(m.daemonUp, { pool, daemon: event.daemon }, 1);
        return;
      case 'failover':
        return;
    }
  });
}

/** What the share recorder reports on every queue change (src/shares/share-recorder.ts QueueState). */
export interface ShareQueueState {
  readonly queued: number;
  /** Since the recorder started (one per runtime). */
  readonly droppedShares?: number;
  readonly droppedInvalid?: number;
  /** Records Redis acknowledged and later lost, since the recorder started. */
  readonly lostInRedis?: number;
}

/**
 * For the share recorder's `onQueueChange` (PoolRuntime's 'recorder' event): shares held in memory while Redis is
 * away, and records refused because that queue was full. The recorder's refusal counts start at zero with each
 * runtime, so the counter advances by their growth: a reloaded pool's new recorder adds to what was counted.
 * `setQueued` lets instrumentPool show a runtime's queue only while that runtime serves the pool.
 */
export function shareQueueHook(
  metrics: HeadframeMetrics,
  pool: string,
  setQueued: (queued: number) => void = (queued) => metrics.pool.shareQueueLength.set({ pool }, queued),
): (state: ShareQueueState) => void {
  const m = metrics.pool;
  let shares = 0;
  let invalid = 0;
  let lost = 0;
  m.shareRecordsLostInRedis.inc({ pool }, 0);
  return (state) => {
    setQueued(state.queued);
    const droppedShares = state.droppedShares ?? shares;
    const droppedInvalid = state.droppedInvalid ?? invalid;
    const lostInRedis = state.lostInRedis ?? lost;
    if (droppedShares > shares) m.shareRecordsRefused.inc({ pool, kind: 'share' }, droppedShares - shares);
    if (droppedInvalid > invalid) m.shareRecordsRefused.inc({ pool, kind: 'invalid' }, droppedInvalid - invalid);
    if (lostInRedis > lost) m.shareRecordsLostInRedis.inc({ pool }, lostInRedis - lost);
    shares = droppedShares;
    invalid = droppedInvalid;
    lost = lostInRedis;
  };
}

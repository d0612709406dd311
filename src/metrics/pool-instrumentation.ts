// Turns one pool runtime's events into metrics. Listens only; never changes what the pool does, and a metrics
// failure can never reach a miner (prom-client's inc/set/observe do not throw on valid label values).
import type { DaemonErrorCode } from '../daemon/errors.js';
import type { DaemonSetEvent } from '../daemon/daemon-set.js';
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

/**
 * `multiplier` is the pool algorithm's share multiplier (PowAlgorithm.multiplier). Safe to call again for a runtime
 * that replaces another of the same pool (reloadpool): nothing is reset.
 */
export function instrumentPool(runtime: InstrumentedPool, metrics: HeadframeMetrics, multiplier: number): void {
  const m = metrics.pool;
  const pool = runtime.pool.id;
  // Series exist from the start, so rate() and absent() work before the first miner or block.
  m.connections.inc({ pool }, 0);
  m.hashesPerDifficulty.set({ pool }, 2 ** 32 / multiplier);
  m.shareDifficulty.inc({ pool }, 0);
  m.blocksFound.inc({ pool }, 0);
  m.blockCandidates.inc({ pool }, 0);
  m.minedBaseUnits.inc({ pool }, 0);
  m.shares.inc({ pool, result: 'valid', reason: 'ok' }, 0);
  for (const d of runtime.pool.daemons) m.daemonUp.set({ pool, daemon: `${d.host}:${d.port}` }, 1);
  m.shareRecordsRefused.inc({ pool, kind: 'share' }, 0);
  m.shareRecordsRefused.inc({ pool, kind: 'invalid' }, 0);
  // A new runtime's recorder starts with an empty queue; a runtime it replaces reports its own draining until it
  // stops (reloadpool stops the old one right after handing its miners over).
  m.shareQueueLength.set({ pool }, 0);
  runtime.on('recorder', shareQueueHook(metrics, pool));

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
    m.jobBroadcastMiners.set({ pool }, broadcast.miners);
  });
  runtime.on('template', (template) => {
    m.networkHeight.set({ pool }, template.height);
    m.networkDifficulty.set({ pool }, networkDifficulty(template.target));
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
        m.daemonUp.set({ pool, daemon: event.daemon }, 0);
        return;
      case 'up':
        m.daemonUp.set({ pool, daemon: event.daemon }, 1);
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
}

/**
 * For the share recorder's `onQueueChange` (PoolRuntime's 'recorder' event): shares held in memory while Redis is
 * away, and records refused because that queue was full. The recorder's refusal counts start at zero with each
 * runtime, so the counter advances by their growth: a reloaded pool's new recorder adds to what was counted.
 */
export function shareQueueHook(metrics: HeadframeMetrics, pool: string): (state: ShareQueueState) => void {
  const m = metrics.pool;
  let shares = 0;
  let invalid = 0;
  return (state) => {
    m.shareQueueLength.set({ pool }, state.queued);
    const droppedShares = state.droppedShares ?? shares;
    const droppedInvalid = state.droppedInvalid ?? invalid;
    if (droppedShares > shares) m.shareRecordsRefused.inc({ pool, kind: 'share' }, droppedShares - shares);
    if (droppedInvalid > invalid) m.shareRecordsRefused.inc({ pool, kind: 'invalid' }, droppedInvalid - invalid);
    shares = droppedShares;
    invalid = droppedInvalid;
  };
}

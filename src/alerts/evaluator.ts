// Periodic alert evaluation: one evaluator at a time across all processes and instances (Redis lock), single-flight
// (a slow run delays the next one instead of overlapping it), and every worker handled on its own so one stalled
// notifier call never holds up another worker's alert.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AlertsConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { AlertStore } from './alert-store.js';
import { AlertDelivery } from './delivery.js';
import type { Alert, Notifier } from './notifier.js';
import { sendNotices } from './notices.js';
import { DEFAULT_HASHRATE_WINDOW_SECONDS } from '../redis/hashrate-window.js';
import { hashrateOf } from '../website/hashrate.js';
import { decidePoolHashrate } from './pool-state.js';
import { decideWorker, type FiringState, type Thresholds } from './worker-state.js';

export interface EvaluatorOptions {
  readonly store: AlertStore;
  readonly config: AlertsConfig;
  readonly pools: readonly string[];
  /** The algorithm multiplier of each pool's coin (hashes behind one unit of share difficulty are 2^32 / it). */
  readonly multiplierOf: (pool: string) => number;
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  readonly now?: () => number;
  /** The evaluation lock's lifetime (default: three intervals, at least 30 s). */
  readonly lockTtlMs?: number;
}

export class AlertEvaluator {
  private readonly token = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  private readonly thresholds: Thresholds;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly intervalMs: number;
  /** Long enough to outlive a run whose notifier calls all time out, short enough that a killed holder is replaced soon. */
  private readonly lockTtlMs: number;
  private lockRenewedAt = 0;
  private readonly delivery: AlertDelivery;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Set while runs fail (Redis away), so an outage is logged once, not once per interval. */
  private failingSince: number | null = null;

  constructor(private readonly options: EvaluatorOptions) {
    this.thresholds = {
      offlineAfterMs: options.config.workerOfflineAfter * 1000,
      forgetAfterMs: options.config.workerForgetAfter * 1000,
    };
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'alerts' });
    this.intervalMs = Math.max(50, options.config.evaluateInterval * 1000);
    this.lockTtlMs = options.lockTtlMs ?? Math.max(this.intervalMs * 3, 30_000);
    this.delivery = new AlertDelivery(options.notifiers, this.log);
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.options.store.releaseLock(this.token).catch(() => undefined);
  }

  /** One evaluation of every pool, if this process holds (or gets) the lock. Returns whether it evaluated. */
  async runOnce(): Promise<boolean> {
    if (!(await this.options.store.acquireLock(this.token, this.lockTtlMs))) return false;
    this.lockRenewedAt = Date.now();
    for (const pool of this.options.pools) {
      try {
        await this.evaluatePool(pool);
      } catch (error) {
        if (error instanceof LockLost) {
          this.log.warn('alert lock lost during a run (another instance evaluates now); stopped');
          return true;
        }
        this.log.error(`alert evaluation for pool ${pool} failed: ${(error as Error).message}`);
      }
    }
    return true;
  }

  /**
   * Renews the lock once a third of its lifetime has passed: a farm going offline means hundreds of notifier calls,
   * eight at a time and some waiting out Telegram's 429s, which can outlast the lock; another instance taking it
   * meanwhile would send the same alerts again. Throws LockLost when it is gone.
   */
  private async keepLock(): Promise<void> {
    if (Date.now() - this.lockRenewedAt < this.lockTtlMs / 3) return;
    if (!(await this.options.store.acquireLock(this.token, this.lockTtlMs))) throw new LockLost();
    this.lockRenewedAt = Date.now();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => {
          if (this.failingSince !== null) this.log.info(`alert evaluation works again after ${Date.now() - this.failingSince} ms`);
          this.failingSince = null;
        })
        .catch((error: unknown) => {
          if (this.failingSince !== null) return;
          this.failingSince = Date.now();
          this.log.warn(`alert evaluation failed (retrying every ${this.intervalMs} ms): ${(error as Error).message}`);
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
  }

  private async evaluatePool(pool: string): Promise<void> {
    const { store } = this.options;
    const now = this.now();
    const [recent, states] = await Promise.all([store.lastShares(pool, now - this.thresholds.forgetAfterMs), store.workerStates(pool)]);
    const candidates = new Set(states.keys());
    for (const [login, lastShare] of recent) if (now - lastShare >= this.thresholds.offlineAfterMs) candidates.add(login);
    // A few at a time: when a whole farm drops, thousands of messages at once would only meet the notifiers' rate
    // limits (Telegram answers 429 and asks to wait) and hold thousands of sockets open.
    await forEachLimited([...candidates], WORKER_EVALUATIONS_AT_ONCE, async (login) => {
      await this.keepLock();
      await this.evaluateWorker(pool, login, states.get(login) ?? null, recent.get(login) ?? null, now).catch((error: unknown) => {
        this.log.error(`worker alert ${login} on ${pool} failed: ${(error as Error).message}`);
      });
    });
    await this.evaluatePoolHashrate(pool, now);
    await sendNotices(store, this.options.notifiers, pool, now, this.log);
  }

  private async evaluateWorker(pool: string, login: string, state: FiringState | null, lastShare: number | null, now: number): Promise<void> {
    const decision = decideWorker(state, { now, lastShare, hashrate: null }, this.thresholds, this.delivery.names);
    const store = this.options.store;
    await this.delivery.apply(
      {
        label: `worker-offline ${login} on ${pool}`,
        save: (next) => store.saveWorkerState(pool, login, next),
        alert: (s) => workerAlert(pool, login, s),
      },
      state,
      decision,
    );
  }

  private async evaluatePoolHashrate(pool: string, now: number): Promise<void> {
    const min = this.options.config.minPoolHashrate;
    const store = this.options.store;
    const state = await store.poolState(pool, HASHRATE_LOW);
    // Without a minimum only an alert still firing from before (the minimum was since set to 0) needs a decision.
    if (min <= 0 && state === null) return;
    let hashrate: number | null = null;
    if (min > 0) {
      const window = await store.poolWindow(pool, now, DEFAULT_HASHRATE_WINDOW_SECONDS);
      hashrate = hashrateOf(window.difficulty, window.seconds, this.options.multiplierOf(pool));
    }
    const decision = decidePoolHashrate(state, { now, hashrate }, min, this.delivery.names);
    await this.delivery.apply(
      {
        label: `hashrate-low on ${pool}`,
        save: (next) => store.savePoolState(pool, HASHRATE_LOW, next),
        alert: (s) => ({
          id: `pool-hashrate-low:${pool}`,
          kind: 'pool-hashrate-low',
          pool,
          worker: null,
          text: `Pool ${pool} hashrate is ${formatHashrate(s.hashrate ?? 0)}, below the ${formatHashrate(min)} minimum.`,
          since: s.since,
          details: { hashrate: s.hashrate, minHashrate: min },
        }),
      },
      state,
      decision,
    );
  }
}

const HASHRATE_LOW = 'hashrate-low';

class LockLost extends Error {
  override readonly name = 'LockLost';
}
const WORKER_EVALUATIONS_AT_ONCE = 8;

/** Runs `work` over `items` with at most `limit` of them in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function formatHashrate(hps: number): string {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'];
  let value = hps;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[i]}`;
}

function workerAlert(pool: string, login: string, state: FiringState): Alert {
  const minutes = Math.round((state.since - state.lastShare) / 60_000);
  return {
    id: `worker-offline:${pool}:${login}`,
    kind: 'worker-offline',
    pool,
    worker: login,
    text: `Worker ${login} on pool ${pool} is offline: last share ${minutes} min ago (${new Date(state.lastShare).toISOString()}).`,
    since: state.since,
    details: { lastShare: state.lastShare, hashrate: state.hashrate },
  };
}

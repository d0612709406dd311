// Periodic alert evaluation: one evaluator at a time across all processes and instances (Redis lock), single-flight
// (a slow run delays the next one instead of overlapping it), and every worker handled on its own so one stalled
// notifier call never holds up another worker's alert.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AlertsConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { AlertStore } from './alert-store.js';
import type { Alert, Notice, Notifier } from './notifier.js';
import { OutboundError } from './post-json.js';
import { decideWorker, type Delivery, type FiringState, type Thresholds, type WorkerAction } from './worker-state.js';

export interface EvaluatorOptions {
  readonly store: AlertStore;
  readonly config: AlertsConfig;
  readonly pools: readonly string[];
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Block-found notices only for blocks found this recently, so enabling alerts does not replay old blocks. */
const BLOCK_NOTICE_MAX_AGE_MS = 3600_000;

export class AlertEvaluator {
  private readonly token = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  private readonly thresholds: Thresholds;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly intervalMs: number;
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
    // Long enough to outlive a run whose notifier calls all time out, short enough that a killed holder is replaced soon.
    const ttlMs = Math.max(this.intervalMs * 3, 30_000);
    if (!(await this.options.store.acquireLock(this.token, ttlMs))) return false;
    for (const pool of this.options.pools) {
      try {
        await this.evaluatePool(pool);
      } catch (error) {
        this.log.error(`alert evaluation for pool ${pool} failed: ${(error as Error).message}`);
      }
    }
    return true;
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
    await Promise.all(
      [...candidates].map((login) =>
        this.evaluateWorker(pool, login, states.get(login) ?? null, recent.get(login) ?? null, now).catch((error: unknown) =>
          this.log.error(`worker alert ${login} on ${pool} failed: ${(error as Error).message}`),
        ),
      ),
    );
    await this.sendNotices(pool, now);
  }

  private async evaluateWorker(pool: string, login: string, state: FiringState | null, lastShare: number | null, now: number): Promise<void> {
    const names = this.options.notifiers.map((n) => n.name);
    const decision = decideWorker(state, { now, lastShare, hashrate: null }, this.thresholds, names);
    if (decision.actions.length === 0) {
      if (decision.next !== state) await this.options.store.saveWorkerState(pool, login, decision.next);
      return;
    }
    let current: FiringState | null = state;
    for (const action of decision.actions) {
      if (action.kind === 'resolve') {
        await this.resolve(pool, login, current!, action);
        current = null;
      } else {
        // A fire action either opens a new alert (decision.next is fresh) or retries failed deliveries of the open one.
        if (current === null || current.since !== decision.next!.since) current = decision.next!;
        current = await this.fire(pool, login, current, action.notifiers);
      }
    }
    await this.options.store.saveWorkerState(pool, login, current);
  }

  private workerAlert(pool: string, login: string, state: FiringState): Alert {
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

  private async fire(pool: string, login: string, state: FiringState, notifiers: readonly string[]): Promise<FiringState> {
    const targets = this.options.notifiers.filter((n) => notifiers.includes(n.name));
    const deliveries: Record<string, Delivery> = { ...state.deliveries };
    for (const n of targets) deliveries[n.name] = { status: 'sending', ref: null, attempts: (state.deliveries[n.name]?.attempts ?? 0) + 1 };
    // Written before any call: a crash from here on leaves "sending", which is never sent again.
    await this.options.store.saveWorkerState(pool, login, { ...state, deliveries });
    const alert = this.workerAlert(pool, login, state);
    await Promise.all(
      targets.map(async (n) => {
        const attempts = deliveries[n.name].attempts;
        try {
          deliveries[n.name] = { status: 'sent', ref: await n.fire(alert), attempts };
        } catch (error) {
          const unknown = !(error instanceof OutboundError) || error.maybeDelivered;
          deliveries[n.name] = { status: unknown ? 'unknown' : 'failed', ref: null, attempts };
          this.log.warn(`${n.name}: offline alert for ${login} not delivered: ${(error as Error).message}`);
        }
      }),
    );
    return { ...state, deliveries };
  }

  private async resolve(pool: string, login: string, state: FiringState, action: Extract<WorkerAction, { kind: 'resolve' }>): Promise<void> {
    const alert = this.workerAlert(pool, login, state);
    await Promise.all(
      this.options.notifiers
        .filter((n) => action.deliveries[n.name] !== undefined)
        .map((n) =>
          n.resolve(alert, action.deliveries[n.name].ref).catch((error: unknown) =>
            this.log.warn(`${n.name}: could not resolve the offline alert for ${login}: ${(error as Error).message}`),
          ),
        ),
    );
  }

  private async sendNotices(pool: string, now: number): Promise<void> {
    const { store } = this.options;
    const notices: Notice[] = [];
    for (const block of await store.pendingBlocks(pool)) {
      if (block.verdict !== 'accepted' || now - block.foundAt > BLOCK_NOTICE_MAX_AGE_MS) continue;
      notices.push({
        id: `block:${block.id}`,
        kind: 'block-found',
        pool,
        text: `Block ${block.height} found on pool ${pool} by ${block.worker} (${block.hash}).`,
        at: block.foundAt,
        details: { height: block.height, hash: block.hash, reward: block.reward, worker: block.worker },
      });
    }
    const halt = await store.paymentHalt(pool);
    if (halt) {
      notices.push({
        id: `payments-halted:${halt.at}`,
        kind: 'payments-halted',
        pool,
        text: `Payments for pool ${pool} are halted: ${halt.reason}. An operator must check the wallet before they resume.`,
        at: halt.at,
        details: { reason: halt.reason },
      });
    }
    for (const notice of notices) {
      // Claimed before sending: a notice is informational, so at most once beats at least once.
      if (!(await store.claimNotice(pool, notice.id, now))) continue;
      await Promise.all(
        this.options.notifiers.map((n) =>
          n.notice(notice).catch((error: unknown) => this.log.warn(`${n.name}: notice ${notice.id} not delivered: ${(error as Error).message}`)),
        ),
      );
    }
  }
}

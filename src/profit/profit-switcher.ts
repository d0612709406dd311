// The profit switcher's loop: refresh prices into Redis (one process per Redis does it, under a lock), read the
// shared snapshot, read each switched coin's next-block reward and target, and tell the master which coin every
// switch should mine. The choice is re-sent every round, so a restarted pool worker converges within one interval.
import { randomUUID } from 'node:crypto';
import type { ProfitSwitchConfig, SwitchConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { PriceCache, PriceSnapshot } from './price-cache.js';
import { fetchPrices } from './price-source.js';
import { leadPercent, profitScore } from './profitability.js';
import { decideSwitch, type SwitchState } from './switch-decision.js';

export interface NetworkStats {
  readonly reward: bigint;
  readonly target: bigint;
}

export interface ProfitSwitcherOptions {
  readonly config: ProfitSwitchConfig;
  readonly cache: PriceCache;
  /** The coin's next block: reward and target (throws when its daemons cannot say). */
  readonly network: (coin: string) => Promise<NetworkStats>;
  /** Asks the master to move a switch's miners (sent every round, also when nothing changed). */
  readonly send: (switchName: string, coin: string) => void;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  /** A price source is asked again after a failed attempt. */
  readonly onPriceRetry?: (source: string) => void;
  /**
   * Pause after a failed round before the next try, doubling with each failure in a row up to updateInterval
   * (default RETRY_DELAY_MS).
   */
  readonly retryDelayMs?: number;
}

const STATE_TTL_SECONDS = 7 * 24 * 3600;
/** A failed round is tried again this soon, not a whole updateInterval (600 s by default) later. */
export const RETRY_DELAY_MS = 5_000;

export class ProfitSwitcher {
  private readonly states = new Map<string, SwitchState>();
  private readonly token = randomUUID();
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  private failuresInARow = 0;

  constructor(private readonly options: ProfitSwitcherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Runs a round now and then every updateInterval (a failed one sooner, see retryDelayMs); rounds never overlap. */
  start(): void {
    const loop = (): void => {
      this.running = this.round();
      void this.running.then((ok) => {
        this.running = null;
        if (!this.abort.signal.aborted) this.timer = setTimeout(loop, this.nextDelay(ok));
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    // Held for two update intervals otherwise: a switcher restarted by a reload would price nothing until it expired.
    await this.options.cache.release(this.token).catch((err: Error) => this.options.logger.warn(`could not release the price lock: ${err.message}`));
  }

  /** One round; never throws: false when it failed (logged; the loop tries again soon). */
  async round(): Promise<boolean> {
    try {
      await this.refreshPrices();
      const snapshot = await this.options.cache.read();
      for (const sw of this.options.config.switches) await this.decide(sw, snapshot);
      return true;
    } catch (err) {
      this.options.logger.error(`profit switch round failed: ${(err as Error).message}`);
      return false;
    }
  }

  private nextDelay(ok: boolean): number {
    const interval = this.options.config.updateInterval * 1000;
    if (ok) {
      this.failuresInARow = 0;
      return interval;
    }
    // Soon, because until a round gets through every switch stays where it was (coins[0] after a restart); doubling,
    // so a Redis that stays away is not asked every few seconds for hours.
    this.failuresInARow += 1;
    const retry = (this.options.retryDelayMs ?? RETRY_DELAY_MS) * 2 ** Math.min(this.failuresInARow - 1, 20);
    return Math.min(interval, retry);
  }

  current(switchName: string): SwitchState | undefined {
    return this.states.get(switchName);
  }

  private async refreshPrices(): Promise<void> {
    const { config, cache, logger } = this.options;
    if (config.priceSources.length === 0) return;
    // Held for two intervals: a switcher that dies hands the job to another one soon after.
    if (!(await cache.lock(this.token, config.updateInterval * 2000))) {
      logger.debug('another profit switcher refreshes prices; reading its snapshot');
      return;
    }
    const prices: Record<string, { price: string; source: string }> = {};
    for (const source of config.priceSources) {
      const result = await fetchPrices(source, {
        timeoutMs: config.requestTimeoutMs,
        retries: config.retries,
        fetch: this.options.fetch,
        onRetry: () => this.options.onPriceRetry?.(source.name),
        signal: this.abort.signal,
      });
      if (!result.ok) {
        logger.warn(`price source ${source.name}: ${result.error} (after ${result.attempts} attempt(s))`);
        continue;
      }
      if (result.missing.length) logger.warn(`price source ${source.name}: no usable price for ${result.missing.join(', ')}`);
      // Sources are in order of preference: the first one that has a coin's price wins.
      for (const [coin, price] of result.prices) prices[coin] ??= { price, source: source.name };
    }
    if (Object.keys(prices).length === 0) {
      logger.warn('no price source answered; the cached prices (if any) stay until they expire');
      return;
    }
    const snapshot: PriceSnapshot = { fetchedAt: this.now(), prices };
    await cache.write(snapshot, config.updateInterval * 3);
  }

  private async decide(sw: SwitchConfig, snapshot: PriceSnapshot | null): Promise<void> {
    const { config, logger } = this.options;
    const state = this.states.get(sw.name) ?? (await this.restore(sw));
    const scores = new Map<string, bigint | null>();
    for (const coin of sw.coins) {
      const price = snapshot?.prices[coin]?.price;
      if (price === undefined) {
        scores.set(coin, null);
        continue;
      }
      try {
        const network = await this.options.network(coin);
        scores.set(coin, profitScore({ ...network, price }));
      } catch (err) {
        logger.warn(`switch ${sw.name}: cannot read ${coin}'s network: ${(err as Error).message}`);
        scores.set(coin, null);
      }
    }
    const decision = decideSwitch({ state, scores, marginPercent: config.marginPercent, holdTimeMs: config.holdTime * 1000, now: this.now() });
    this.states.set(sw.name, decision.state);
    if (decision.switchTo) {
      const lead = leadPercent(scores.get(decision.switchTo) ?? 0n, scores.get(state.coin) ?? 0n);
      logger.info(`switch ${sw.name}: ${state.coin} -> ${decision.switchTo} (${lead ?? '?'} % more per hash)`);
    } else {
      logger.debug(`switch ${sw.name}: ${decision.reason}`);
    }
    try {
      await this.options.cache.writeState(sw.name, decision.state, STATE_TTL_SECONDS);
    } catch (err) {
      logger.warn(`switch ${sw.name}: cannot save its state: ${(err as Error).message}`);
    }
    this.options.send(sw.name, decision.state.coin);
  }

  private async restore(sw: SwitchConfig): Promise<SwitchState> {
    const fresh: SwitchState = { coin: sw.coins[0], since: this.now(), leader: null };
    // A failed read fails the round (it is retried within seconds): starting over on the first coin would save that
    // over the real state, and the switch would believe its miners are on a coin they are not on.
    const saved = await this.options.cache.readState(sw.name);
    if (!isState(saved) || !sw.coins.includes(saved.coin)) return fresh;
    const leader = saved.leader && sw.coins.includes(saved.leader.coin) ? saved.leader : null;
    return { coin: saved.coin, since: saved.since, leader };
  }
}

function isState(value: unknown): value is SwitchState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.coin !== 'string' || typeof v.since !== 'number') return false;
  if (v.leader === null) return true;
  const l = v.leader as Record<string, unknown> | undefined;
  return typeof l === 'object' && l !== null && typeof l.coin === 'string' && typeof l.since === 'number';
}

// The master's handle on its children: start, relay messages to them, stop. Built by roles/master.ts.
import type { ResolvedConfig } from '../config/types.js';
import { reloadPoolConfig, type PoolReload } from '../ipc/cli-reload.js';
import type { Logger } from '../log/logger.js';
import type { ChildInfo, Supervisor } from './supervisor.js';

export type CoinSwitchResult =
  | { readonly ok: true; readonly previous: string | null; readonly workers: number }
  | { readonly ok: false; readonly error: string };

export interface MasterStatus {
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly children: readonly ChildInfo[];
  readonly pools: readonly { readonly pool: string; readonly coin: string; readonly enabled: boolean; readonly connections: number }[];
  readonly switches: readonly { readonly name: string; readonly coins: readonly string[]; readonly coin: string | null }[];
}

const BLOCK_HASH = /^[0-9a-f]{64}$/;

export class Master {
  private stopped: Promise<void> | null = null;
  private current: ResolvedConfig;
  /** Last coin chosen per switch (by hand or by the profit switcher), re-sent to pool workers that restart. */
  private readonly selections = new Map<string, string>();
  /** Reloads run one at a time: two at once could apply an older file after a newer one. */
  private reloads: Promise<unknown> = Promise.resolve();

  constructor(
    config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly supervisor: Supervisor,
  ) {
    this.current = config;
  }

  /** The running config: the one loaded at start, with reloaded pools swapped in. */
  get config(): ResolvedConfig {
    return this.current;
  }

  start(): void {
    this.supervisor.start();
  }

  children(): ChildInfo[] {
    return this.supervisor.children();
  }

  /**
   * Passes a daemon's new-block notification to every pool worker (each serves every enabled pool).
   * `coin` is the coin id (coin file name); returns how many workers it reached, 0 when no enabled pool mines it.
   */
  relayBlockNotify(coin: string, blockHash: string): number {
    const hash = blockHash.toLowerCase();
    if (!BLOCK_HASH.test(hash)) {
      this.logger.warn(`blocknotify ignored: block hash ${JSON.stringify(blockHash)} is not 64 hex digits`);
      return 0;
    }
    if (!this.config.pools.some((p) => p.enabled && p.coin.id === coin)) {
      this.logger.warn(`blocknotify ignored: no enabled pool mines ${JSON.stringify(coin)}`);
      return 0;
    }
    return this.supervisor.sendToRole('pool-worker', { type: 'blocknotify', coin, blockHash: hash });
  }

  /** A pool worker's block was accepted: the other pool workers hear of it as a blocknotify at once. */
  relayBlockFound(coin: string, blockHash: string, finderForkId: number): number {
    return this.supervisor.sendToRole('pool-worker', { type: 'blocknotify', coin, blockHash }, finderForkId);
  }

  /**
   * Re-reads and re-validates the config directory and hands `poolId`'s new config to every pool worker.
   * On any problem the running config stays and the problems come back.
   */
  reloadPool(poolId: string): Promise<PoolReload & { readonly workers?: number }> {
    const run = this.reloads.then(async () => {
      const result = await reloadPoolConfig(this.current, poolId);
      if (!result.ok) {
        this.logger.warn(`reloadpool ${poolId} refused: ${result.error}${result.problems.length ? `: ${result.problems.join('; ')}` : ''}`);
        return result;
      }
      this.current = result.config;
      this.supervisor.setConfig(result.config);
      const workers = this.supervisor.sendToRole('pool-worker', { type: 'reloadpool', pool: result.pool });
      this.logger.info(`reloadpool ${poolId}: new config sent to ${workers} pool worker(s)`);
      return { ...result, workers };
    });
    this.reloads = run.catch(() => undefined);
    return run;
  }

  /** Moves the miners of a switch's ports to `coin` on every pool worker. */
  coinSwitch(switchName: string, coin: string, by: string): CoinSwitchResult {
    const sw = this.current.global.profitSwitch.switches.find((s) => s.name === switchName);
    if (!sw) {
      const names = this.current.global.profitSwitch.switches.map((s) => s.name);
      return { ok: false, error: `no switch "${switchName}" is configured${names.length ? ` (switches: ${names.join(', ')})` : ''}` };
    }
    if (!sw.coins.includes(coin)) return { ok: false, error: `switch "${switchName}" has no coin "${coin}" (coins: ${sw.coins.join(', ')})` };
    const previous = this.selections.get(switchName) ?? null;
    this.selections.set(switchName, coin);
    const workers = this.supervisor.sendToRole('pool-worker', { type: 'coinswitch', switchName, coin });
    if (previous !== coin) this.logger.info(`coinswitch ${switchName}: ${previous ?? sw.coins[0]} -> ${coin} (by ${by}, ${workers} worker(s))`);
    return { ok: true, previous, workers };
  }

  /** A pool worker (re)started with the switches on their first coin: tell it the current choices. */
  resendSelections(): void {
    for (const [switchName, coin] of this.selections) this.supervisor.sendToRole('pool-worker', { type: 'coinswitch', switchName, coin });
  }

  status(): MasterStatus {
    const children = this.supervisor.children();
    const connections = new Map<string, number>();
    for (const child of children) for (const p of child.pools) connections.set(p.pool, (connections.get(p.pool) ?? 0) + p.connections);
    return {
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      children,
      pools: this.current.pools.map((p) => ({ pool: p.id, coin: p.coin.id, enabled: p.enabled, connections: connections.get(p.id) ?? 0 })),
      switches: this.current.global.profitSwitch.switches.map((s) => ({ name: s.name, coins: s.coins, coin: this.selections.get(s.name) ?? s.coins[0] ?? null })),
    };
  }

  /** Idempotent: a second signal during shutdown waits for the first shutdown instead of starting another. */
  stop(): Promise<void> {
    this.stopped ??= this.supervisor.stop(this.config.global.shutdownTimeoutMs);
    return this.stopped;
  }
}

// The master's handle on its children: start, relay messages to them, stop. Built by roles/master.ts.
import type { ResolvedConfig } from '../config/types.js';
import { reloadPoolConfig, type PoolReload } from '../ipc/cli-reload.js';
import type { Logger } from '../log/logger.js';
import type { PoolConfig } from '../config/types.js';
import type { ChildSpec } from './child-plan.js';
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

/**
 * How long the master waits for every pool worker to report its reload: a new runtime may take 5 s for its first
 * template and the old one up to 15 s to settle its shares and close its recorder. Below the CLI's 30 s deadline.
 */
export const RELOAD_ANSWER_TIMEOUT_MS = 25_000;

const RENEWED_ON_RELOAD = ['payment-processor', 'website', 'profit-switch'] as const;


/**
 * How long a renewed child may take to stop before it is killed: the payment processor finishes its run first, and a
 * run may be in a sendmany (60 s deadline) or a long PPLNS walk.
 */
function renewTimeoutMs(role: (typeof RENEWED_ON_RELOAD)[number], config: ResolvedConfig): number {
  return role === 'payment-processor' ? Math.max(config.global.shutdownTimeoutMs, 90_000) : config.global.shutdownTimeoutMs;
}

interface ReloadAnswer {
  readonly ok: boolean;
  readonly error: string | null;
  /** No answer came in time: the worker may still apply the reload later. */
  readonly late?: boolean;
}

interface ReloadWait {
  readonly reloadId: number;
  readonly answers: Map<number, ReloadAnswer>;
  /** The pool workers the reload reached: set right after sending, so answers may arrive before it is. */
  forks: readonly number[];
  readonly done: () => void;
}

export class Master {
  private stopped: Promise<void> | null = null;
  private current: ResolvedConfig;
  /** Last coin chosen per switch (by hand or by the profit switcher), re-sent to pool workers that restart. */
  private readonly selections = new Map<string, string>();
  /** Reloads run one at a time: two at once could apply an older file after a newer one. */
  private reloads: Promise<unknown> = Promise.resolve();
  /** The reload whose pool workers' answers are awaited (one at a time, see `reloads`). */
  private reloadWait: ReloadWait | null = null;
  /** Numbers every reloadpool message; answers carry it back. */
  private reloadCounter = 0;

  constructor(
    config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly supervisor: Supervisor,
    /** How long pool workers have to answer a reload (tests shorten it). */
    private readonly reloadAnswerTimeoutMs = RELOAD_ANSWER_TIMEOUT_MS,
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

  /** A pool worker banned an IP: the other pool workers ban it too (a reconnect may land on any of them). */
  relayBan(pool: string, ip: string, seconds: number, fromForkId: number): number {
    return this.supervisor.sendToRole('pool-worker', { type: 'ban', pool, ip, seconds }, fromForkId);
  }

  /** A pool worker's block was accepted: the other pool workers hear of it as a blocknotify at once. */
  relayBlockFound(coin: string, blockHash: string, finderForkId: number): number {
    return this.supervisor.sendToRole('pool-worker', { type: 'blocknotify', coin, blockHash }, finderForkId);
  }

  /**
   * Re-reads and re-validates the config directory and hands `poolId`'s new config to every pool worker. The new
   * config becomes the running one (what restarted children get, what status shows) only when every pool worker
   * applied it; if one could not (its daemon refused the new settings, a port did not open) or did not answer in
   * time, every other one is given the previous config back, so no two forks run different settings. On any problem
   * the problems come back, each worker's reason among them.
   */
  reloadPool(poolId: string): Promise<PoolReload & { readonly workers?: number }> {
    const run = this.reloads.then(async (): Promise<PoolReload & { readonly workers?: number }> => {
      const result = await reloadPoolConfig(this.current, poolId);
      if (!result.ok) {
        this.logger.warn(`reloadpool ${poolId} refused: ${result.error}${result.problems.length ? `: ${result.problems.join('; ')}` : ''}`);
        return result;
      }
      // Which process answered for each fork: one that restarted after answering was handed the old config.
      const restartsAtSend = this.poolWorkerRestarts();
      const restartedSince = (forkId: number): boolean => this.poolWorkerRestarts().get(forkId) !== restartsAtSend.get(forkId);
      const answers = await this.sendReload(result.pool);
      const failed = [...answers].filter(([, a]) => !a.ok);
      if (failed.length === 0) {
        this.current = result.config;
        this.supervisor.setConfig(result.config);
        // A pool worker that started while the others applied it (or restarted after applying it) was handed the
        // previous config.
        for (const child of this.supervisor.children()) {
          if (child.role !== 'pool-worker' || !child.ready) continue;
          if (!answers.has(child.forkId) || restartedSince(child.forkId)) this.catchUpReloads(child);
        }
        // These roles read pool files only at their start (payment daemon and wallet, the pools the site shows, the
        // coins a switch prices): they start again with the new config, their state being in Redis.
        const renewed = RENEWED_ON_RELOAD.map((role) => this.supervisor.renewRole(role, renewTimeoutMs(role, this.current))).reduce((a, b) => a + b, 0);
        this.logger.info(`reloadpool ${poolId}: applied by ${answers.size} pool worker(s); ${renewed} other child(ren) restarting with it`);
        return { ...result, workers: answers.size };
      }
      const reasons = failed.map(([fork, a]) => `pool worker ${fork}: ${a.error ?? 'failed'}`);
      // Back to the previous settings of this pool (or, for a pool the file adds, the pool switched off again) on every
      // worker that did not undo the reload itself: those that applied it, and those whose answer is still to come.
      const previous = this.current.pools.find((p) => p.id === poolId) ?? { ...result.pool, enabled: false };
      // A fork that restarted since was handed the previous config already.
      const candidates = [...answers].filter(([fork, a]) => (a.ok || a.late) && !restartedSince(fork));
      // Not waited for: a worker that did not answer in time works through its reloads in order and would make the
      // operator wait as long again; how each rollback ends is logged when it answers.
      const reloadId = ++this.reloadCounter;
      const undo = candidates
        .map(([forkId]) => forkId)
        .filter((forkId) => this.supervisor.sendTo({ role: 'pool-worker', forkId }, { type: 'reloadpool', pool: previous, reloadId }));
      const error = `pool "${poolId}" keeps its running config: the new one did not start everywhere`;
      this.logger.error(`reloadpool ${poolId}: ${error} (${reasons.join('; ')})${undo.length ? `; given back the previous config: pool worker(s) ${undo.join(', ')}` : ''}`);
      return { ok: false, error, problems: reasons };
    });
    this.reloads = run.catch(() => undefined);
    return run;
  }

  /** Restarts so far of each pool worker slot, by fork id: a change means another process serves that fork. */
  private poolWorkerRestarts(): Map<number, number> {
    return new Map(this.supervisor.children().filter((c) => c.role === 'pool-worker').map((c) => [c.forkId, c.restarts]));
  }

  /** Sends `pool` to the ready pool workers and collects their answers to this very reload; a missing one is `late`. */
  private async sendReload(pool: PoolConfig): Promise<Map<number, ReloadAnswer>> {
    const answers = new Map<number, ReloadAnswer>();
    let done!: () => void;
    const allAnswered = new Promise<void>((resolve) => (done = resolve));
    const reloadId = ++this.reloadCounter;
    // Registered before sending: a fast worker's answer must find it.
    const wait: ReloadWait = { reloadId, answers, forks: [], done };
    this.reloadWait = wait;
    const message = { type: 'reloadpool', pool, reloadId } as const;
    wait.forks = this.supervisor.sendToForks('pool-worker', message);
    if (wait.forks.every((f) => answers.has(f))) done();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allAnswered, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.reloadAnswerTimeoutMs)))]);
    clearTimeout(timer);
    this.reloadWait = null;
    const result = new Map<number, ReloadAnswer>();
    const late: ReloadAnswer = { ok: false, error: `no answer in time (${this.reloadAnswerTimeoutMs / 1000} s)`, late: true };
    for (const fork of wait.forks) result.set(fork, answers.get(fork) ?? late);
    return result;
  }

  /** A pool worker's report of how a reload ended. */
  onReloaded(forkId: number, reloadId: number, ok: boolean, error: string | null): void {
    const wait = this.reloadWait;
    if (!wait || wait.reloadId !== reloadId) {
      // A rollback or catch-up nobody waits for: a failure leaves that fork on other settings than the others.
      if (!ok) this.logger.error(`pool worker ${forkId} could not apply a pool config (reload ${reloadId}): ${error ?? 'failed'}; restart it`);
      return;
    }
    wait.answers.set(forkId, { ok, error });
    if (wait.forks.length > 0 && wait.forks.every((f) => wait.answers.has(f))) wait.done();
  }

  /**
   * A pool worker that was handed its config before a reload was committed (it was starting while the others
   * applied it) gets the pools that changed since, so every fork runs the same settings.
   */
  catchUpReloads(child: ChildSpec): void {
    const given = this.supervisor.configGivenTo(child);
    if (given === null || given === this.current) return;
    for (const pool of this.current.pools) {
      const before = given.pools.find((p) => p.id === pool.id);
      if (before !== undefined && JSON.stringify(before) === JSON.stringify(pool)) continue;
      this.logger.info(`pool worker ${child.forkId} started with pool ${pool.id}'s previous config: sending the current one`);
      this.supervisor.sendTo(child, { type: 'reloadpool', pool, reloadId: ++this.reloadCounter });
    }
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

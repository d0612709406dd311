// The pools of one pool worker process and the switching ports built on them. A reload replaces exactly one
// pool's runtime: its miners move to the new one on the same ports (new difficulty, a clean job) without
// reconnecting, every other pool and its miners carry on, and switching ports are re-pointed at the new runtime.
import type { AlgorithmRegistry } from '../algorithms/registry.js';
import type { AlgorithmName, GlobalConfig, PoolConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { ExtranonceAllocator } from '../mining/extranonce.js';
import type { RedisScripts } from '../redis/script-loader.js';
import { SwitchingPort } from '../profit/switching-port.js';
import { EXTRANONCE2_SIZE, PoolRuntime } from './pool-runtime.js';

export interface PoolSetOptions {
  readonly pools: readonly PoolConfig[];
  readonly global: GlobalConfig;
  readonly forkId: number;
  readonly algorithms: Pick<AlgorithmRegistry, 'get'>;
  /** Off-thread hashing per algorithm, where the process runs a hash pool for it. */
  readonly hasherFor?: (algorithm: AlgorithmName) => ((header: Buffer) => Promise<Buffer>) | undefined;
  readonly logger: Logger;
  /** Called for every runtime created, at start and on reload (metrics, block logging). */
  readonly onRuntime?: (runtime: PoolRuntime) => void;
  readonly stratumHost?: string;
  /** The worker's one Redis client (with its scripts), shared by every pool; default: one per pool. */
  readonly redis?: RedisScripts;
}

export interface ReloadOutcome {
  readonly ok: boolean;
  /** Why the reloaded config does not run (the previous one does again), when ok is false. */
  readonly error: string | null;
}

/** How long a reloaded pool's runtime may take to get its first job before the reload is undone. */
const RELOAD_FIRST_JOB_TIMEOUT_MS = 5_000;

export class PoolSet {
  private readonly runtimes = new Map<string, PoolRuntime>();
  private readonly switches: SwitchingPort[] = [];
  /** One allocator for all pools: switching-port miners move between pools keeping their extranonce1. */
  private readonly extranonces: ExtranonceAllocator;
  private reloads: Promise<unknown> = Promise.resolve();
  /** Runtimes created per pool id so far: each new one numbers its jobs past the previous one's. */
  private readonly generations = new Map<string, number>();
  private readonly log: Logger;
  /** A pool's outgoing runtime while a reload replaces it (it still serves its miners until the hand-over). */
  private readonly replacing = new Map<string, PoolRuntime>();
  /** Replaced runtimes whose recorder still writes queued records once Redis answers (see PoolRuntime.stop). */
  private readonly draining = new Set<PoolRuntime>();
  /** Replaced runtimes still stopping. */
  private readonly retiring = new Set<PoolRuntime>();
  /** stop() was called: a reload still running launches nothing more. */
  private stopping = false;

  constructor(private readonly options: PoolSetOptions) {
    this.log = options.logger;
    this.extranonces = new ExtranonceAllocator(options.global.instanceId, options.forkId);
    for (const pool of options.pools) if (pool.enabled) this.runtimes.set(pool.id, this.create(pool));
    for (const sw of options.global.profitSwitch.switches) {
      this.switches.push(
        new SwitchingPort({
          switch: sw,
          runtimeOf: (coin) => this.runtimeOf(coin),
          extranonces: this.extranonces,
          extranonce2Size: EXTRANONCE2_SIZE,
          logger: this.log,
          host: options.stratumHost,
        }),
      );
    }
  }

  get all(): PoolRuntime[] {
    return [...this.runtimes.values()];
  }

  /**
   * The runtime serving `coin` now. While a reload replaces it, that is still the outgoing one until the hand-over:
   * switching-port miners hold its jobs, which the incoming runtime does not know.
   */
  runtimeOf(coin: string): PoolRuntime | undefined {
    for (const runtime of this.replacing.values()) if (runtime.pool.coin.id === coin) return runtime;
    for (const runtime of this.runtimes.values()) if (runtime.pool.coin.id === coin) return runtime;
    return undefined;
  }

  switchingPort(name: string): SwitchingPort | undefined {
    return this.switches.find((s) => s.name === name);
  }

  /** Binds every port (a port that cannot be bound rejects: fatal for the worker) and fetches first templates. */
  async start(): Promise<void> {
    await Promise.all([...this.all.map((r) => r.start()), ...this.switches.map((s) => s.listen())]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // The running runtimes and, in a reload's hand-over window, the outgoing one (it still serves miners).
    const stopRunning = async (): Promise<void> => {
      await Promise.all([...new Set([...this.all, ...this.replacing.values()])].map((r) => r.stop()));
    };
    await Promise.all([...this.switches.map((s) => s.close()), stopRunning()]);
    // A reload in progress ends without launching anything more. Whatever it registered or brought back meanwhile
    // stops too, even if stopped once already: a port still binding when it was stopped listens after all.
    await this.reloads;
    await stopRunning();
    // Replaced runtimes whose share records still wait for Redis: the process is exiting, so what is left is lost
    // (and said so in the log), not silently dropped with the process.
    await Promise.all([...this.draining].map((r) => r.recording.close(true)));
    this.draining.clear();
  }

  blockNotify(coin: string, blockHash: string): void {
    // A runtime being replaced still serves its miners until the hand-over: it hears of new blocks too.
    for (const runtime of new Set([...this.runtimes.values(), ...this.replacing.values()])) {
      if (runtime.pool.coin.id === coin || runtime.pool.id === coin) void runtime.onBlockNotify(blockHash);
    }
  }

  /** A ban another pool worker decided for `poolId`'s ports (during a reload, the outgoing runtime's ports too). */
  banIp(poolId: string, ip: string, seconds: number): void {
    const retiring = [...this.retiring].filter((r) => r.pool.id === poolId);
    for (const runtime of new Set([this.runtimes.get(poolId), this.replacing.get(poolId), ...retiring])) runtime?.banIp(ip, seconds);
  }

  coinSwitch(switchName: string, coin: string): boolean {
    const port = this.switchingPort(switchName);
    if (!port) {
      this.log.warn(`coinswitch ${switchName} -> ${coin}: no such switch in this worker`);
      return false;
    }
    if (!port.select(coin)) {
      this.log.warn(`coinswitch ${switchName} -> ${coin}: the switch does not list that coin`);
      return false;
    }
    return true;
  }

  /**
   * Replaces one pool's runtime with one built from `pool`; reloads run one after another. Resolves with whether the
   * new config runs now, or why the previous one was kept (restored).
   */
  reload(pool: PoolConfig): Promise<ReloadOutcome> {
    const run = this.reloads.then(() => this.replace(pool));
    this.reloads = run.catch(() => undefined);
    return run;
  }

  private async replace(pool: PoolConfig): Promise<ReloadOutcome> {
    const old = this.runtimes.get(pool.id);
    if (old) this.replacing.set(pool.id, old);
    try {
      return await this.replaceFrom(old, pool);
    } finally {
      this.replacing.delete(pool.id);
    }
  }

  /**
   * Stops a replaced runtime. Until its stop ends it still receives relayed bans (its ban list is what a relaunch of
   * its config adopts), and its recorder stays watched while it writes queued records once Redis answers.
   */
  private async retire(old: PoolRuntime): Promise<void> {
    this.retiring.add(old);
    try {
      await old.stop(true);
    } finally {
      this.retiring.delete(old);
    }
    this.draining.add(old);
    void old.recording.recorder.drained().then(() => this.draining.delete(old));
  }

  private async replaceFrom(old: PoolRuntime | undefined, pool: PoolConfig): Promise<ReloadOutcome> {
    // Miners keep their connections when their authorized addresses stay valid: same coin, same network.
    const keepMiners = old !== undefined && pool.enabled && old.pool.coin.id === pool.coin.id && old.pool.network === pool.network;
    if (old) {
      this.runtimes.delete(pool.id);
      // Until the new runtime holds its first job, the old one keeps serving its miners; only its ports close.
      if (keepMiners) old.stopAccepting();
      else {
        this.replacing.delete(pool.id);
        await this.retire(old);
      }
    }
    if (!pool.enabled) {
      this.log.info(`pool ${pool.id} is disabled by the reloaded config: stopped`);
      this.attachSwitches(pool, old);
      return { ok: true, error: null };
    }
    let fresh: PoolRuntime;
    try {
      if (this.stopping) throw new Error('the pool worker is stopping');
      fresh = await this.launch(pool, old);
      // Connected miners move only to a runtime that has work for them: one whose daemon is unreachable or
      // refuses it (a wrong password in the new file) would answer every share of their old job "job not found"
      // until the ban threshold, so such a reload goes back to the previous config instead.
      if (keepMiners && old && !(await fresh.firstJob(RELOAD_FIRST_JOB_TIMEOUT_MS))) {
        this.runtimes.delete(pool.id);
        // Bans it decided meanwhile went to the other forks, never back here: the runtime that stays keeps them.
        old.adoptBans(fresh);
        await fresh.stop();
        throw new Error(`no block template from its daemons within ${RELOAD_FIRST_JOB_TIMEOUT_MS / 1000} s`);
      }
      if (this.stopping) throw new Error('the pool worker is stopping');
    } catch (err) {
      const error = (err as Error).message;
      this.log.error(`pool ${pool.id}: the reloaded config does not start (${error}); going back to the previous one`);
      await this.restore(old, keepMiners, pool);
      this.attachSwitches(pool, old);
      return { ok: false, error };
    }
    // From the hand-over on the new runtime serves the miners: nothing after it may fall back to the old one.
    const moved = keepMiners && old ? old.handOverTo(fresh) : 0;
    // Switching-port miners move at the same moment, with a clean job from the new runtime.
    this.replacing.delete(pool.id);
    this.attachSwitches(pool, old);
    if (keepMiners && old) await this.retire(old);
    this.log.info(`pool ${pool.id} reloaded: ports ${pool.ports.map((p) => `${p.port} (diff ${p.diff})`).join(', ')}; ${moved} miner connection(s) kept`);
    return { ok: true, error: null };
  }

  /** The previous config serves again after a reload that did not start. */
  private async restore(old: PoolRuntime | undefined, keptMiners: boolean, pool: PoolConfig): Promise<void> {
    // A stopping worker brings nothing back: stop() stops the outgoing runtime itself.
    if (!old || this.stopping) return;
    if (keptMiners) {
      // The previous runtime never stopped: it takes connections again and its miners never noticed.
      try {
        await old.resumeAccepting();
        this.runtimes.set(pool.id, old);
      } catch (again) {
        this.log.error(`pool ${pool.id}: the previous config cannot listen again: ${(again as Error).message}`);
        this.replacing.delete(pool.id);
        await this.retire(old);
      }
      return;
    }
    try {
      // Relaunched from its config, with the bans of the runtime it was (stopped, its ban list still holds them).
      await this.launch(old.pool, old);
    } catch (again) {
      this.log.error(`pool ${pool.id}: the previous config does not start either: ${(again as Error).message}`);
    }
  }

  /** Points the switching ports at the coins' current runtimes (attach is idempotent for an unchanged runtime). */
  private attachSwitches(pool: PoolConfig, old: PoolRuntime | undefined): void {
    for (const port of this.switches) for (const coin of new Set([pool.coin.id, ...(old ? [old.pool.coin.id] : [])])) port.attach(coin);
  }

  /** `predecessor`: the runtime it replaces, whose running bans hold from the first connection the new one takes. */
  private async launch(pool: PoolConfig, predecessor?: PoolRuntime): Promise<PoolRuntime> {
    const runtime = this.create(pool);
    if (predecessor) runtime.adoptBans(predecessor);
    this.runtimes.set(pool.id, runtime);
    try {
      await runtime.start();
    } catch (err) {
      this.runtimes.delete(pool.id);
      await runtime.stop();
      throw err;
    }
    return runtime;
  }

  private create(pool: PoolConfig): PoolRuntime {
    const generation = this.generations.get(pool.id) ?? 0;
    this.generations.set(pool.id, generation + 1);
    const runtime = new PoolRuntime({
      generation,
      pool,
      global: this.options.global,
      forkId: this.options.forkId,
      algorithm: this.options.algorithms.get(pool.coin.algorithm),
      logger: this.options.logger,
      stratumHost: this.options.stratumHost,
      extranonces: this.extranonces,
      hasher: this.options.hasherFor?.(pool.coin.algorithm),
      redis: this.options.redis,
    });
    this.options.onRuntime?.(runtime);
    return runtime;
  }
}

// Keeps one child process per slot (role + fork id) alive: forks it, hands it the config when it says hello,
// restarts it with backoff when it dies, and on stop asks every child to shut down before killing stragglers.
import type { Worker } from 'node:cluster';
import type { ResolvedConfig } from '../config/types.js';
import type { MasterIpc } from '../ipc/channel.js';
import { createMasterIpc } from '../ipc/channel.js';
import type { ChildRole, ChildToMaster, MasterToChild, PoolStatus, Untagged } from '../ipc/messages.js';
import { assertNever } from '../ipc/messages.js';
import type { Logger } from '../log/logger.js';
import type { ChildSpec } from './child-plan.js';
import { childKey } from './child-plan.js';
import type { Clock } from './restart-policy.js';
import { RestartPolicy } from './restart-policy.js';
import type { SupervisorTimings } from './timings.js';

/** Environment the child reads to learn its role before the config arrives. */
export const ROLE_ENV = 'HEADFRAME_ROLE';
export const FORK_ID_ENV = 'HEADFRAME_FORK_ID';

export type ForkChild = (env: Record<string, string>) => Worker;

export interface SupervisorOptions {
  readonly config: ResolvedConfig;
  readonly specs: readonly ChildSpec[];
  readonly logger: Logger;
  readonly timings: SupervisorTimings;
  readonly fork: ForkChild;
  readonly clock?: Clock;
  /** Time allowed for SIGKILLed children to be reaped before stop() gives up waiting. */
  readonly killGraceMs?: number;
  /** Child requests for the master to act on (a profit switcher's coinswitch, a pool worker's found block). */
  readonly onRequest?: (from: ChildSpec, message: Extract<ChildToMaster, { type: 'coinswitch' | 'blockfound' | 'reloaded' | 'ban' }>) => void;
  /** A child has its config and runs its role (after a restart too). */
  readonly onReady?: (child: ChildSpec) => void;
}

export interface ChildInfo {
  readonly role: ChildRole;
  readonly forkId: number;
  readonly pid: number | null;
  readonly ready: boolean;
  readonly restarts: number;
  readonly pools: readonly PoolStatus[];
}

interface Slot {
  readonly spec: ChildSpec;
  readonly key: string;
  readonly policy: RestartPolicy;
  worker: Worker | null;
  ipc: MasterIpc | null;
  ready: boolean;
  restarts: number;
  pools: readonly PoolStatus[];
  restartTimer: NodeJS.Timeout | null;
  startTimer: NodeJS.Timeout | null;
  /** The config handed over at the running child's hello (a reload committed later is not in it). */
  configGiven: ResolvedConfig | null;
  /** Asked to stop so it starts again with the current config: its exit is not a death and costs no backoff. */
  renewing: boolean;
}

export class Supervisor {
  private readonly slots: Slot[];
  private stopping = false;
  private readonly exitWaiters = new Set<() => void>();
  /** What a (re)started child receives: replaced by setConfig after a live pool reload. */
  private config: ResolvedConfig;

  constructor(private readonly options: SupervisorOptions) {
    this.config = options.config;
    this.slots = options.specs.map((spec) => ({
      spec,
      key: childKey(spec),
      policy: new RestartPolicy(options.timings, options.clock),
      worker: null,
      ipc: null,
      ready: false,
      restarts: 0,
      pools: [],
      restartTimer: null,
      startTimer: null,
      configGiven: null,
      renewing: false,
    }));
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  children(): ChildInfo[] {
    return this.slots.map((s) => ({
      role: s.spec.role,
      forkId: s.spec.forkId,
      pid: s.worker?.process.pid ?? null,
      ready: s.ready,
      restarts: s.restarts,
      pools: s.pools,
    }));
  }

  /** The config children started from now on receive (running children get changes by message). */
  setConfig(config: ResolvedConfig): void {
    this.config = config;
  }

  /** Sends to every running child of the role that has its config; returns how many it reached. */
  sendToRole(role: ChildRole, message: Untagged<MasterToChild>, exceptForkId: number | null = null): number {
    return this.sendToForks(role, message, exceptForkId).length;
  }

  /** Like sendToRole, returning the fork ids it reached. */
  sendToForks(role: ChildRole, message: Untagged<MasterToChild>, exceptForkId: number | null = null): number[] {
    const reached: number[] = [];
    for (const slot of this.slots) {
      if (slot.spec.role !== role || slot.spec.forkId === exceptForkId) continue;
      if (slot.ready && slot.ipc?.send(message)) reached.push(slot.spec.forkId);
    }
    return reached;
  }

  /**
   * Restarts the running children of a role so they start from the current config (roles that read pool files only
   * at their start). Each is asked to shut down as at master shutdown and is forked again as soon as it exited.
   */
  renewRole(role: ChildRole, timeoutMs: number): number {
    let renewed = 0;
    for (const slot of this.slots) {
      const worker = slot.worker;
      if (slot.spec.role !== role || worker === null || slot.renewing) continue;
      slot.renewing = true;
      slot.ipc?.send({ type: 'shutdown' });
      // One that does not stop in time is killed, as at master shutdown.
      setTimeout(() => {
        if (slot.worker === worker) worker.process.kill('SIGKILL');
      }, timeoutMs).unref();
      renewed++;
    }
    return renewed;
  }

  /** Sends to one running child; false when it is not running or not ready. */
  sendTo(child: ChildSpec, message: Untagged<MasterToChild>): boolean {
    const slot = this.slots.find((s) => s.spec.role === child.role && s.spec.forkId === child.forkId);
    return slot !== undefined && slot.ready && slot.ipc !== null && slot.ipc.send(message);
  }

  /** The config a running child was started with, or null when it is not running. */
  configGivenTo(child: ChildSpec): ResolvedConfig | null {
    return this.slots.find((s) => s.spec.role === child.role && s.spec.forkId === child.forkId)?.configGiven ?? null;
  }

  /** Asks every child to shut down, waits up to timeoutMs, then SIGKILLs whatever is left. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const slot of this.slots) {
      this.clearTimers(slot);
      slot.ipc?.send({ type: 'shutdown' });
    }
    if (await this.waitForExits(timeoutMs)) return;
    for (const slot of this.slots) {
      if (!slot.worker) continue;
      this.options.logger.warn(`child ${slot.key} did not stop within ${timeoutMs} ms; killing pid ${slot.worker.process.pid}`);
      slot.worker.process.kill('SIGKILL');
    }
    if (!(await this.waitForExits(this.options.killGraceMs ?? 2_000))) {
      this.options.logger.error('some children were not reaped after SIGKILL');
    }
  }

  private waitForExits(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.slots.some((s) => s.worker !== null)) return;
        clearTimeout(timer);
        this.exitWaiters.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.exitWaiters.delete(check);
        resolve(false);
      }, timeoutMs);
      this.exitWaiters.add(check);
      check();
    });
  }

  private spawn(slot: Slot): void {
    const { logger, timings } = this.options;
    let worker: Worker;
    try {
      worker = this.options.fork({ [ROLE_ENV]: slot.spec.role, [FORK_ID_ENV]: String(slot.spec.forkId) });
    } catch (err) {
      // Some spawn failures throw (ENOMEM): the slot is retried with the same backoff as a child that died.
      this.restartLater(slot, `child ${slot.key} could not be started (${(err as Error).message})`);
      return;
    }
    slot.worker = worker;
    slot.ready = false;
    slot.pools = [];
    slot.policy.recordStart();
    slot.ipc = createMasterIpc(worker, () => worker.isConnected(), (reason) =>
      logger.warn(`invalid IPC message from child ${slot.key}: ${reason}`),
    );
    slot.ipc.onMessage((message) => this.onChildMessage(slot, worker, message));
    logger.info(`child ${slot.key} started (pid ${worker.process.pid})`);
    slot.startTimer = setTimeout(() => {
      slot.startTimer = null;
      logger.error(`child ${slot.key} not ready after ${timings.startTimeoutMs} ms; killing pid ${worker.process.pid}`);
      worker.process.kill('SIGKILL');
    }, timings.startTimeoutMs);
    worker.on('error', (error: Error) => {
      logger.warn(`child ${slot.key} error: ${error.message}`);
      // A process that never started (EAGAIN under a pids limit) may emit no 'exit': count it as one.
      if (worker.process.pid === undefined) this.onExit(slot, worker, null, null);
    });
    worker.on('exit', (code: number | null, signal: string | null) => this.onExit(slot, worker, code, signal));
  }

  private onChildMessage(slot: Slot, worker: Worker, message: ChildToMaster): void {
    if (slot.worker !== worker) return;
    if (message.type !== 'hello' && (message.role !== slot.spec.role || message.forkId !== slot.spec.forkId)) {
      this.options.logger.warn(`child ${slot.key} sent a message for ${message.role}/${message.forkId}; ignored`);
      return;
    }
    switch (message.type) {
      case 'hello':
        // A child forked just before stop() may have missed the shutdown sent to it before its listener existed.
        if (this.stopping) slot.ipc?.send({ type: 'shutdown' });
        else {
          slot.configGiven = this.config;
          slot.ipc?.send({ type: 'config', config: this.config, role: slot.spec.role, forkId: slot.spec.forkId });
        }
        return;
      case 'ready':
        slot.ready = true;
        if (slot.startTimer) clearTimeout(slot.startTimer);
        slot.startTimer = null;
        this.options.logger.info(`child ${slot.key} ready (pid ${message.pid})`);
        this.options.onReady?.(slot.spec);
        return;
      case 'status':
        slot.pools = message.pools;
        return;
      case 'coinswitch':
      case 'blockfound':
      case 'reloaded':
      case 'ban':
        this.options.onRequest?.(slot.spec, message);
        return;
      default:
        assertNever(message);
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    const { logger } = this.options;
    slot.worker = null;
    slot.ipc = null;
    slot.ready = false;
    slot.configGiven = null;
    this.clearTimers(slot);
    const how = `code ${code ?? 'none'}, signal ${signal ?? 'none'}`;
    if (slot.renewing && !this.stopping) {
      slot.renewing = false;
      logger.info(`child ${slot.key} stopped to start with the current config (pid ${worker.process.pid}, ${how}); starting it again`);
      slot.restarts++;
      this.spawn(slot);
      return;
    }
    slot.renewing = false;
    if (this.stopping) {
      logger.info(`child ${slot.key} exited (pid ${worker.process.pid}, ${how})`);
      for (const waiter of [...this.exitWaiters]) waiter();
      return;
    }
    this.restartLater(slot, `child ${slot.key} exited (pid ${worker.process.pid}, ${how})`);
  }

  /** Spawns the slot again after its backoff delay, logging `what` happened with the delay. */
  private restartLater(slot: Slot, what: string): void {
    const { logger } = this.options;
    const decision = slot.policy.recordExit();
    const line = `${what} after ${decision.ranForMs} ms; restarting in ${decision.delayMs} ms`;
    if (decision.crashLoop) {
      logger.error(`${line} (crash loop: ${decision.recentDeaths} deaths within ${this.options.timings.crashLoopWindowMs} ms)`);
    } else {
      logger.warn(line);
    }
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (this.stopping) return;
      slot.restarts++;
      this.spawn(slot);
    }, decision.delayMs);
  }

  private clearTimers(slot: Slot): void {
    if (slot.restartTimer) clearTimeout(slot.restartTimer);
    if (slot.startTimer) clearTimeout(slot.startTimer);
    slot.restartTimer = null;
    slot.startTimer = null;
  }
}

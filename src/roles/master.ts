// The master process: validates the config once, forks and supervises the children it asks for, relays
// messages to them, and shuts everything down on SIGINT/SIGTERM.
import cluster from 'node:cluster';
import { describeConfig } from '../config/describe.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { createLogger } from '../log/logger.js';
import { planChildren } from '../master/child-plan.js';
import type { ChildInfo } from '../master/supervisor.js';
import { Supervisor } from '../master/supervisor.js';
import type { SupervisorTimings } from '../master/timings.js';
import { resolveTimings, TIMINGS_ENV } from '../master/timings.js';

const BLOCK_HASH = /^[0-9a-f]{64}$/;

export class Master {
  private stopped: Promise<void> | null = null;

  constructor(
    readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly supervisor: Supervisor,
  ) {}

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

  /** Idempotent: a second signal during shutdown waits for the first shutdown instead of starting another. */
  stop(): Promise<void> {
    this.stopped ??= this.supervisor.stop(this.config.global.shutdownTimeoutMs);
    return this.stopped;
  }
}

/** `--check-config`: 0 and the described config on stdout, or 1 and every problem on stderr. */
export async function checkConfig(configDir: string): Promise<number> {
  const result = await loadConfig(configDir);
  if (!result.ok) {
    for (const problem of result.problems) process.stderr.write(`${problem}\n`);
    return 1;
  }
  process.stdout.write(`${describeConfig(result.config)}\n`);
  return 0;
}

/** Starts the master; returns an exit code only when it cannot start (the running master exits on a signal). */
export async function runMaster(configDir: string): Promise<number> {
  const result = await loadConfig(configDir);
  if (!result.ok) {
    process.stderr.write(`configuration in ${configDir} is invalid:\n`);
    for (const problem of result.problems) process.stderr.write(`${problem}\n`);
    return 1;
  }
  let timings: SupervisorTimings;
  try {
    timings = resolveTimings(process.env[TIMINGS_ENV]);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  const { config } = result;
  const logger = createLogger({
    level: config.global.logging.level,
    json: config.global.logging.json,
    context: { role: 'master' },
  });
  // Children re-run this entry without arguments: they take everything from the master over IPC.
  cluster.setupPrimary({ args: [] });
  const specs = planChildren(config);
  const supervisor = new Supervisor({ config, specs, logger, timings, fork: (env) => cluster.fork(env) });
  const master = new Master(config, logger, supervisor);

  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info(`${signal} received; shutting down the children`);
    void master.stop().then(() => {
      logger.info('all children stopped; exiting');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  logger.info(`master started (pid ${process.pid}), children: ${specs.map((s) => `${s.role}/${s.forkId}`).join(', ') || 'none'}`);
  master.start();
  return 0;
}

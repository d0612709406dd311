// The master process: validates the config once, forks and supervises the children it asks for, relays
// messages to them, and shuts everything down on SIGINT/SIGTERM.
import cluster from 'node:cluster';
import { describeConfig } from '../config/describe.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log/logger.js';
import { planChildren } from '../master/child-plan.js';
import { Master } from '../master/master.js';
import { createCliHandler } from '../ipc/cli-commands.js';
import { CliServer } from '../ipc/cli-server.js';
import { Supervisor } from '../master/supervisor.js';
import type { SupervisorTimings } from '../master/timings.js';
import { resolveTimings, TIMINGS_ENV } from '../master/timings.js';
import { startMasterMetrics, type MasterMetrics } from '../metrics/master-endpoint.js';
import { startAlerts, type RunningAlerts } from '../alerts/start-alerts.js';

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
  if (specs.length === 0) {
    // With no child the master would have nothing to wait for and quit silently; say why instead.
    process.stderr.write('nothing to run: no enabled pool, website or profit switch in the configuration\n');
    return 1;
  }
  // The supervisor exists before the master it reports to; requests arriving in between have nobody to act.
  let master: Master | null = null;
  const supervisor = new Supervisor({
    config,
    specs,
    logger,
    timings,
    fork: (env) => cluster.fork(env),
    onRequest: (from, request) => {
      if (request.type === 'coinswitch') master?.coinSwitch(request.switchName, request.coin, `${from.role}/${from.forkId}`);
      else if (request.type === 'reloaded') master?.onReloaded(from.forkId, request.reloadId, request.ok, request.error);
      else if (request.type === 'ban') {
        if (from.role === 'pool-worker') master?.relayBan(request.pool, request.ip, request.seconds, from.forkId);
      }
      else if (from.role === 'pool-worker') master?.relayBlockFound(request.coin, request.blockHash, from.forkId);
    },
    onReady: (child) => {
      if (child.role !== 'pool-worker') return;
      master?.resendSelections();
      master?.catchUpReloads(child);
    },
  });
  master = new Master(config, logger, supervisor);
  const running = master;
  const cli = new CliServer({
    host: config.global.cliHost,
    port: config.global.cliPort,
    secret: config.global.cliSecret,
    handler: createCliHandler(master),
    logger,
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info(`${signal} received; shutting down the children`);
    void Promise.all([cli.close(), running.stop(), alerts?.stop()]).then(() => {
      logger.info('all children stopped; exiting');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let alerts: RunningAlerts | null = null;
  let masterMetrics: MasterMetrics | null = null;
  if (config.global.metrics.enabled) {
    // Before any child starts: an operator who asked for metrics must not get a pool that silently has none.
    try {
      masterMetrics = await startMasterMetrics(config.global.metrics, logger);
    } catch (error) {
      process.stderr.write(`cannot serve metrics on ${config.global.metrics.host}:${config.global.metrics.port}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  // Pools still mine without the listener (templates are polled), so a taken port is loud but not fatal; the
  // listener keeps trying until it can bind, e.g. once an old master still holding the port has gone.
  const listenCli = (): void => {
    cli.listen().then(
      () => logger.info(`CLI listening on ${config.global.cliHost}:${cli.port}`),
      (error: Error) => {
        logger.error(`cannot listen for CLI commands on ${config.global.cliHost}:${config.global.cliPort} (${error.message}); blocknotify and operator commands fail until it can; retrying in 5 s`);
        setTimeout(listenCli, 5_000).unref();
      },
    );
  };
  listenCli();
  // The master evaluates alerts: it is the one process every deployment runs (see src/alerts/start-alerts.ts).
  if (config.global.alerts.enabled) alerts = startAlerts(config, logger, masterMetrics?.metrics.outbound);
  logger.info(`master started (pid ${process.pid}), children: ${specs.map((s) => `${s.role}/${s.forkId}`).join(', ')}`);
  running.start();
  return 0;
}

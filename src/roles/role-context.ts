// What every child role receives from the process entry. A role function runs until ctx.shutdown is aborted
// (shutdown message from the master, SIGINT/SIGTERM, or the master going away), winds down, then resolves;
// the entry exits the process once it has resolved.
import type { ResolvedConfig } from '../config/types.js';
import type { ChildIpc } from '../ipc/channel.js';
import type { Logger } from '../log/logger.js';
import type { HeadframeMetrics } from '../metrics/metrics.js';

export type { ChildIpc } from '../ipc/channel.js';

export interface RoleContext {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly forkId: number;
  readonly ipc: ChildIpc;
  readonly shutdown: AbortSignal;
  /** This process's metrics; the master collects them for /metrics. */
  readonly metrics: HeadframeMetrics;
}

export type RoleMain = (ctx: RoleContext) => Promise<void>;

/** Resolves when the signal is aborted (at once if it already is). */
export function untilShutdown(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

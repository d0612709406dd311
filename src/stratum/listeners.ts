// The stratum listeners of one set of ports (a pool's, or a switching port's) sharing one ban list, with
// connection limits taken from a pool's settings.
import type { PoolConfig, PortConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { StratumBackend } from '../mining/types.js';
import { BanList } from './banning.js';
import { StratumServer } from './server.js';

export function createStratumListeners(options: {
  readonly ports: readonly Pick<PortConfig, 'port' | 'diff' | 'varDiff' | 'tls'>[];
  /** Connection timeout, line limit, banning and PROXY protocol come from this pool's settings. */
  readonly limits: Pick<PoolConfig, 'connectionTimeout' | 'maxLineBytes' | 'banning' | 'proxyProtocol'>;
  readonly backend: StratumBackend;
  readonly logger: Logger;
  /** All interfaces by default: miners connect from elsewhere. */
  readonly host?: string;
}): StratumServer[] {
  // One ban list for the set: an IP banned on one port is banned on all of them.
  const banList = new BanList(options.limits.banning);
  return options.ports.map(
    (port) =>
      new StratumServer({
        host: options.host ?? '0.0.0.0',
        port: port.port,
        difficulty: { diff: port.diff, varDiff: port.varDiff },
        connectionTimeoutSec: options.limits.connectionTimeout,
        maxLineBytes: options.limits.maxLineBytes,
        banning: options.limits.banning,
        backend: options.backend,
        logger: options.logger.child({ port: port.port }),
        banList,
        tls: port.tls,
        trustedProxies: options.limits.proxyProtocol.enabled ? options.limits.proxyProtocol.trustedProxies : [],
      }),
  );
}

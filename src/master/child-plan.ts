// Which children a configuration asks for. Each spec is a slot the supervisor keeps filled: a restarted child
// takes over the same role and fork id (the fork id is part of every extranonce1, so it must not wander).
import type { ResolvedConfig } from '../config/types.js';
import type { ChildRole } from '../ipc/messages.js';

export interface ChildSpec {
  readonly role: ChildRole;
  readonly forkId: number;
}

export function childKey(spec: ChildSpec): string {
  return `${spec.role}/${spec.forkId}`;
}

export function planChildren(config: ResolvedConfig): ChildSpec[] {
  const enabledPools = config.pools.filter((p) => p.enabled);
  const specs: ChildSpec[] = [];
  if (enabledPools.length > 0) {
    // Without clustering one pool worker still serves every pool; `forks` is only honoured when clustering is on.
    const forks = config.global.clustering.enabled ? Math.max(1, config.global.clustering.forks) : 1;
    for (let forkId = 0; forkId < forks; forkId++) specs.push({ role: 'pool-worker', forkId });
  }
  if (enabledPools.some((p) => p.paymentProcessing.enabled)) specs.push({ role: 'payment-processor', forkId: 0 });
  if (config.global.website.enabled) specs.push({ role: 'website', forkId: 0 });
  if (config.global.profitSwitch.enabled) specs.push({ role: 'profit-switch', forkId: 0 });
  return specs;
}

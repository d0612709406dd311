import type { ResolvedConfig } from './types.js';

/** The resolved config as pretty JSON for `--check-config`, with every password and secret replaced so the output can be shared. */
export function describeConfig(config: ResolvedConfig): string {
  return JSON.stringify(
    config,
    (key, value: unknown) => (/password|secret|token/i.test(key) && typeof value === 'string' ? '***' : value),
    2,
  );
}

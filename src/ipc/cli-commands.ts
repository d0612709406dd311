// Turns validated CLI commands into master actions and their answers.
import type { Master } from '../master/master.js';
import type { CliCommand } from './cli-protocol.js';
import type { CliHandler, CliOutcome } from './cli-server.js';
import { assertNever } from './messages.js';

/** The master operations the CLI reaches (Master implements them; tests pass fakes). */
export type CliMaster = Pick<Master, 'relayBlockNotify' | 'reloadPool' | 'coinSwitch' | 'status' | 'config'>;

export function createCliHandler(master: CliMaster): CliHandler {
  return async (command: CliCommand): Promise<CliOutcome> => {
    switch (command.command) {
      case 'blocknotify': {
        if (!master.config.pools.some((p) => p.enabled && p.coin.id === command.coin)) {
          return { ok: false, error: `no enabled pool mines coin "${command.coin}"` };
        }
        const workers = master.relayBlockNotify(command.coin, command.blockHash);
        return { ok: true, result: { coin: command.coin, blockHash: command.blockHash, workers } };
      }
      case 'reloadpool': {
        const result = await master.reloadPool(command.pool);
        if (!result.ok) return { ok: false, error: result.error, problems: result.problems };
        return { ok: true, result: { pool: result.pool.id, workers: result.workers ?? 0, notes: result.notes } };
      }
      case 'coinswitch': {
        const result = master.coinSwitch(command.switchName, command.coin, 'cli');
        if (!result.ok) return { ok: false, error: result.error };
        return { ok: true, result: { switch: command.switchName, coin: command.coin, previous: result.previous, workers: result.workers } };
      }
      case 'status':
        return { ok: true, result: master.status() };
      default:
        return assertNever(command);
    }
  };
}

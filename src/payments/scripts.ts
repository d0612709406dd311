// The payment processor's Lua scripts (src/redis/scripts/payments-*.lua) on one client. Most take a fixed number
// of keys (from their headers); payments-commit names one history key per payee and one block key per round, so
// it is defined with the key count passed on each call.
import type { Redis } from 'ioredis';
import { commandName, findScriptsDir, readScripts } from '../redis/script-loader.js';

const VARIABLE_KEYS = new Set(['payments-commit']);

type Command = (...args: (string | number)[]) => Promise<unknown>;

export class PaymentScripts {
  private readonly fixed = new Map<string, { fn: Command; keys: number }>();

  constructor(client: Redis) {
    for (const script of readScripts(findScriptsDir()).filter((s) => s.name.startsWith('payments-'))) {
      // A name of our own, so a client that also loads every script through RedisScripts sees no clash.
      const name = `hf${commandName(script.name)[0].toUpperCase()}${commandName(script.name).slice(1)}`;
      const variable = VARIABLE_KEYS.has(script.name);
      if (!(name in client)) {
        client.defineCommand(name, variable ? { lua: script.lua } : { lua: script.lua, numberOfKeys: script.numberOfKeys });
      }
      const fn = (client as unknown as Record<string, Command>)[name].bind(client);
      this.fixed.set(script.name, { fn, keys: variable ? -1 : script.numberOfKeys });
    }
  }

  run(name: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const script = this.fixed.get(name);
    if (!script) return Promise.reject(new Error(`no payment script named ${name}`));
    if (script.keys === -1) return script.fn(keys.length, ...keys, ...args);
    if (keys.length !== script.keys) {
      return Promise.reject(new Error(`script ${name} takes ${script.keys} keys, got ${keys.length}`));
    }
    return script.fn(...keys, ...args);
  }
}

/** True for the error every payment write script returns when the caller's fencing token no longer holds the lock. */
export function isFenced(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('FENCED');
}

// The website's Lua scripts, read once from src/website/lua. tsc does not copy .lua files, so they are found in
// the source tree from wherever the compiled module runs (dist/website or .build/src/website).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const CANDIDATES = ['./lua/', '../../src/website/lua/', '../../../src/website/lua/'];

function luaDir(): string {
  for (const rel of CANDIDATES) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}write-snapshot.lua`)) return dir;
  }
  throw new Error(`website Lua scripts not found near ${fileURLToPath(import.meta.url)}`);
}

export interface WebsiteScripts {
  /** Any number of keys: the fixed ones, then one per miner history written. */
  writeSnapshot(keys: readonly string[], args: readonly (string | number)[]): Promise<number>;
  renewLock(lockKey: string, token: string, leaseMs: number): Promise<number>;
  releaseLock(lockKey: string, token: string): Promise<number>;
}

type Commands = Record<string, (...args: (string | number | (string | number)[])[]) => Promise<number>>;

/** Defines the scripts on one connection (ioredis sends EVALSHA and falls back to EVAL after a server restart). */
export function defineWebsiteScripts(redis: Redis): WebsiteScripts {
  const dir = luaDir();
  // numberOfKeys null: the caller passes the key count first.
  const define = (name: string, file: string, numberOfKeys: number | null) => {
    if (!(name in redis)) redis.defineCommand(name, { ...(numberOfKeys === null ? {} : { numberOfKeys }), lua: readFileSync(`${dir}${file}`, 'utf8') });
  };
  define('hfWebsiteWriteSnapshot', 'write-snapshot.lua', null);
  define('hfWebsiteLockRenew', 'lock-renew.lua', 1);
  define('hfWebsiteLockRelease', 'lock-release.lua', 1);
  const commands = redis as unknown as Commands;
  return {
    // One array argument (ioredis flattens it): a miner set of tens of thousands is too many to spread into a call.
    writeSnapshot: (keys, args) => commands.hfWebsiteWriteSnapshot(keys.length, [...keys, ...args]),
    renewLock: (lockKey, token, leaseMs) => commands.hfWebsiteLockRenew(lockKey, token, leaseMs),
    releaseLock: (lockKey, token) => commands.hfWebsiteLockRelease(lockKey, token),
  };
}

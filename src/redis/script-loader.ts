// Loads every src/redis/scripts/*.lua onto a client with ioredis defineCommand: EVALSHA per call, the script text
// only once per connection. The number of keys comes from the script's own header (its highest KEYS[n], or a
// variable count when it names a KEYS[n+i] run), so the header that documents a script is also what calls it.
// Redis scripts cannot call each other, so logic two scripts must share lives once in scripts/lib/<name>.lua and
// is pasted in where a script has the line `--#include <name>`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

export interface LoadedScript {
  readonly name: string;
  readonly lua: string;
  /** Fixed keys named in the header (the leading ones, for a script with a variable count). */
  readonly numberOfKeys: number;
  /** The header names a run of keys (KEYS[n+i]): callers pass the key count with every call. */
  readonly variableKeys: boolean;
}

/**
 * tsc does not copy .lua files: compiled code in dist/redis or .build/src/redis finds them in the source tree,
 * which ships with the package. The walk up stops at the first folder holding src/redis/scripts.
 */
export function findScriptsDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  const besides = join(from, 'scripts');
  if (existsSync(join(besides, 'record-shares.lua'))) return besides;
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'src', 'redis', 'scripts');
    if (existsSync(join(candidate, 'record-shares.lua'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find src/redis/scripts above ${from}`);
    dir = parent;
  }
}

/** Highest KEYS[n] named in the leading comment block; 0 when it names none. */
export function headerKeyCount(lua: string, name: string): number {
  let max = 0;
  let sawHeader = false;
  for (const line of lua.split('\n')) {
    if (!line.startsWith('--')) break;
    sawHeader = true;
    for (const m of line.matchAll(/KEYS\[(\d+)\]/g)) max = Math.max(max, Number(m[1]));
  }
  if (!sawHeader) throw new Error(`script ${name} has no header comment naming its KEYS, ARGV and result`);
  return max;
}

/** True when the leading comment block names a run of keys such as KEYS[8+i]. */
export function headerHasKeyRun(lua: string): boolean {
  for (const line of lua.split('\n')) {
    if (!line.startsWith('--')) return false;
    if (/KEYS\[\d+\s*\+\s*[a-z]\]/.test(line)) return true;
  }
  return false;
}

/** Replaces each `--#include <name>` line with scripts/lib/<name>.lua (one level: a snippet includes nothing). */
export function expandIncludes(lua: string, name: string, libDir: string): string {
  return lua.replace(/^--#include ([a-z0-9-]+)[ \t]*$/gm, (_, snippet: string) => {
    const file = join(libDir, `${snippet}.lua`);
    if (!existsSync(file)) throw new Error(`script ${name} includes ${snippet}, but ${file} does not exist`);
    return readFileSync(file, 'utf8').trimEnd();
  });
}

export function readScripts(dir: string = findScriptsDir()): LoadedScript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.lua'.length);
      const lua = expandIncludes(readFileSync(join(dir, file), 'utf8'), name, join(dir, 'lib'));
      return { name, lua, numberOfKeys: headerKeyCount(lua, name), variableKeys: headerHasKeyRun(lua) };
    });
}

/** Script name → camelCase command name on the client: record-shares → recordShares. */
export function commandName(scriptName: string): string {
  return scriptName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export type ScriptArg = string | number;
export type ScriptCommand = (...args: ScriptArg[]) => Promise<unknown>;

/** The share side's scripts (record-*.lua); the payment processor loads its own payments-*.lua. */
export function shareScripts(dir?: string): LoadedScript[] {
  return readScripts(dir).filter((s) => s.name.startsWith('record-'));
}

/** Scripts defined on one client, called by script file name with KEYS then ARGV. */
export class RedisScripts {
  private readonly commands = new Map<string, { fn: ScriptCommand; numberOfKeys: number; variableKeys: boolean }>();

  constructor(
    readonly client: Redis,
    scripts: readonly LoadedScript[] = shareScripts(),
  ) {
    for (const script of scripts) {
      const command = commandName(script.name);
      // Without numberOfKeys, ioredis takes the key count as the first argument of each call.
      client.defineCommand(command, script.variableKeys ? { lua: script.lua } : { lua: script.lua, numberOfKeys: script.numberOfKeys });
      const fn = (client as unknown as Record<string, ScriptCommand>)[command].bind(client);
      this.commands.set(script.name, { fn, numberOfKeys: script.numberOfKeys, variableKeys: script.variableKeys });
    }
  }

  run(name: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    const command = this.commands.get(name);
    if (!command) return Promise.reject(new Error(`no Redis script named ${name}`));
    if (command.variableKeys) {
      if (keys.length < command.numberOfKeys) {
        return Promise.reject(new Error(`script ${name} takes at least ${command.numberOfKeys} keys, got ${keys.length}`));
      }
      return command.fn(keys.length, ...keys, ...args);
    }
    if (keys.length !== command.numberOfKeys) {
      return Promise.reject(new Error(`script ${name} takes ${command.numberOfKeys} keys, got ${keys.length}`));
    }
    return command.fn(...keys, ...args);
  }

  /**
   * The raw command of a variable-key script, for hot paths that build the whole argument list themselves
   * (key count, keys, then ARGV) in one array instead of spreading several.
   */
  variadic(name: string): ScriptCommand {
    const command = this.commands.get(name);
    if (!command?.variableKeys) throw new Error(`no variable-key Redis script named ${name}`);
    return command.fn;
  }
}

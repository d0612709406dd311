// Runs the real entry (`node .build/src/init.js`) as a master process for the process tests and reads what it
// logs: the master's lines and, through the inherited stderr, every child's. Every pid seen is killed in
// cleanup(), so a failing test leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPidAlive } from '../helpers/processes.js';

export const ENTRY = fileURLToPath(new URL('../../src/init.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/master/', import.meta.url));

/** Short supervisor timings (see src/master/timings.ts) so restarts and backoff show within seconds. */
export const FAST_TIMINGS = {
  initialDelayMs: 100,
  maxDelayMs: 800,
  stableAfterMs: 10_000,
  crashLoopWindowMs: 10_000,
  crashLoopThreshold: 4,
  startTimeoutMs: 10_000,
};

export interface ChildEvent {
  readonly key: string;
  readonly pid: number;
}

export class MasterProcess {
  readonly lines: string[] = [];
  readonly stdout: string[] = [];
  private readonly proc: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(args: readonly string[], env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [ENTRY, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HEADFRAME_SUPERVISOR_TEST_TIMINGS: JSON.stringify(FAST_TIMINGS),
        // These tests are about supervision: the real roles (stratum ports, Redis, daemons) are stood in for.
        HEADFRAME_TEST_IDLE_ROLES: 'pool-worker,payment-processor,website,profit-switch',
        ...env,
      },
    });
    collectLines(this.proc.stderr!, this.lines);
    collectLines(this.proc.stdout!, this.stdout);
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Children the master reported starting, in order (`child <role>/<fork> started (pid N)`). */
  starts(): ChildEvent[] {
    return this.matchAll(/\] child (\S+) started \(pid (\d+)\)/).map((m) => ({ key: m[1], pid: Number(m[2]) }));
  }

  /** Children that reported ready to the master. */
  readies(): ChildEvent[] {
    return this.matchAll(/\] child (\S+) ready \(pid (\d+)\)/).map((m) => ({ key: m[1], pid: Number(m[2]) }));
  }

  matchAll(pattern: RegExp): RegExpMatchArray[] {
    return this.lines.map((l) => l.match(pattern)).filter((m): m is RegExpMatchArray => m !== null);
  }

  /** Polls until `predicate` holds; fails with the log tail if it does not within timeoutMs. */
  async until<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 8_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline || this.exitInfo) {
        const why = this.exitInfo ? `master exited (${JSON.stringify(this.exitInfo)})` : `timed out after ${timeoutMs} ms`;
        throw new Error(`waiting for ${what}: ${why}\n${this.lines.slice(-30).join('\n')}`);
      }
      await sleep(25);
    }
  }

  /** Waits until every key has a ready child; returns key -> pid of the latest ready child. */
  async allReady(keys: readonly string[]): Promise<Map<string, number>> {
    return this.until(`ready: ${keys.join(', ')}`, () => {
      const latest = new Map(this.readies().map((e) => [e.key, e.pid]));
      return keys.every((k) => latest.has(k)) ? latest : undefined;
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Resolves with the exit, or rejects if the master is still running after timeoutMs. */
  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`master still running after ${timeoutMs} ms\n${this.lines.slice(-30).join('\n')}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every pid this master and its children ever had. */
  allPids(): number[] {
    return [this.pid, ...this.starts().map((s) => s.pid)];
  }

  /** SIGKILLs the master and every child it ever reported; safe to call when all are gone. */
  async cleanup(): Promise<void> {
    for (const pid of this.allPids()) {
      if (isPidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited in between
        }
      }
    }
    if (!this.exitInfo) await this.exit(5_000).catch(() => undefined);
  }
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    into.push(...parts);
  });
  stream.on('end', () => {
    if (partial) into.push(partial);
  });
}

export const ALL_CHILDREN = ['pool-worker/0', 'pool-worker/1', 'payment-processor/0', 'website/0', 'profit-switch/0'] as const;

export function fixture(name: string): string {
  return `${FIXTURES}${name}`;
}

/** Polls until none of the pids is alive. */
export async function untilAllDead(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isPidAlive)) {
    if (Date.now() > deadline) throw new Error(`still alive after ${timeoutMs} ms: ${pids.filter(isPidAlive).join(', ')}`);
    await sleep(25);
  }
}

/** Everything a test against a real master starts, stopped in reverse order; parts never started are skipped. */
export async function stopMasterScene(scene: {
  readonly miners?: readonly { close(): void }[];
  readonly master?: MasterProcess;
  readonly pair?: { stop(): Promise<void> };
  readonly redis?: { stop(): Promise<void> };
  readonly dir?: { remove(): void };
}): Promise<void> {
  for (const m of scene.miners ?? []) m.close();
  await scene.master?.cleanup();
  await scene.pair?.stop();
  await scene.redis?.stop();
  scene.dir?.remove();
}

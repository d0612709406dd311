// Child-process plumbing shared by the real-service test helpers (redis-server, litecoind).
// Every child is tracked so that a failing or interrupted test never leaves a daemon behind:
// the caller's after() hook stops it gracefully, the exit hooks in cleanup.ts kill -9 whatever is
// still alive if the test process dies first, and the kernel's parent-death signal covers SIGKILL.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CleanupRegistry, killTree } from './cleanup.js';

export {
  assertNoProcessLeft,
  CleanupRegistry,
  defaultRegistry,
  descendantsOf,
  isPidAlive,
  killTree,
} from './cleanup.js';

const ENSURE_DEPS_HINT = 'run `bash scripts/ensure-deps.sh` (as root it apt-get installs redis-server and litecoind)';

const SETPRIV = '/usr/bin/setpriv';

function hasSetpriv(): boolean {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws a loud error when a service binary is missing: tests must fail, never silently skip. */
export function requireBinary(path: string, debianPackage: string): string {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing (Debian package ${debianPackage}); ${ENSURE_DEPS_HINT}`);
  }
  return path;
}

/** Keeps the last `capacity` lines of a stream so failures can show what the daemon said. */
export class LineRing {
  private readonly lines: string[] = [];
  /** Unfinished last line per stream, so stdout and stderr never splice into one line. */
  private readonly partials = new Map<string, string>();

  constructor(
    private readonly capacity = 200,
    /** Sees every complete line, including those that later fall out of the ring. */
    private readonly onLine?: (line: string) => void,
  ) {}

  push(chunk: string, stream = 'out'): void {
    const parts = ((this.partials.get(stream) ?? '') + chunk).split('\n');
    this.partials.set(stream, parts.pop() ?? '');
    for (const line of parts) {
      this.onLine?.(line);
      this.lines.push(line);
      if (this.lines.length > this.capacity) this.lines.shift();
    }
  }

  tail(count = 40): string[] {
    const unfinished = [...this.partials.values()].filter((p) => p !== '');
    const all = unfinished.length > 0 ? [...this.lines, ...unfinished] : this.lines;
    return all.slice(-count);
  }

  text(): string {
    return this.tail(this.capacity).join('\n');
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnLoggedOptions {
  /** Short label used in error messages, e.g. "redis:12345" or "litecoind-A". */
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Lines of combined stdout/stderr kept for diagnostics. */
  ringLines?: number;
  /** Tracks the child so it is killed if the test process exits first. */
  registry?: CleanupRegistry;
  /** Output lines matching any of these are kept in `alerts` in full, even after they leave the ring. */
  alertPatterns?: RegExp[];
}

/** A spawned daemon with its recent output and a promise that settles when it exits. */
export class LoggedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly output: LineRing,
    /** Lines that matched the spawn's alertPatterns (e.g. bind failures), oldest first; grows while running. */
    readonly alerts: string[] = [],
  ) {
    if (child.pid === undefined) throw new Error(`${name}: spawn returned no pid`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  get exitStatus(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** The last lines the process printed, formatted for an error message. */
  describeTail(count = 40): string {
    const lines = this.output.tail(count);
    const status = this.exitInfo ? ` (exited code=${this.exitInfo.code} signal=${this.exitInfo.signal})` : '';
    const header = `--- last ${lines.length} lines of ${this.name} (pid ${this.pid})${status} ---`;
    return `${header}\n${lines.join('\n')}\n--- end ${this.name} ---`;
  }

  /** Sends a signal to the process and its descendants (e.g. -blocknotify shells). */
  signalTree(signal: NodeJS.Signals): void {
    if (this.hasExited) return;
    killTree(this.pid, signal);
  }

  /**
   * Waits for exit; after `graceMs` escalates to SIGKILL so a wedged daemon cannot hang the suite.
   * `requestStop` is the graceful part (an RPC, SHUTDOWN, or SIGTERM by default).
   */
  async stop(options: { graceMs?: number; requestStop?: () => Promise<void> | void } = {}): Promise<ExitInfo> {
    const graceMs = options.graceMs ?? 10_000;
    if (!this.hasExited) {
      try {
        if (options.requestStop) await options.requestStop();
        else this.signalTree('SIGTERM');
      } catch {
        // The graceful request failed (daemon wedged or already going down): fall back to signals.
        this.signalTree('SIGTERM');
      }
      if ((await this.exitWithin(graceMs)) === undefined) {
        this.signalTree('SIGKILL');
        // Only a process stuck in uninterruptible I/O survives SIGKILL; say so instead of hanging the suite.
        if ((await this.exitWithin(5000)) === undefined) {
          throw new Error(`${this.name} (pid ${this.pid}) survived SIGKILL for 5 s`);
        }
      }
    }
    return this.exited;
  }

  /** The exit status, or undefined if the process is still running after `ms`. */
  private async exitWithin(ms: number): Promise<ExitInfo | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Spawns a daemon with stdout/stderr captured into a ring buffer and tracked by the registry. */
export function spawnLogged(command: string, args: readonly string[], options: SpawnLoggedOptions): LoggedProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  // Exit hooks cannot run when the test process is SIGKILLed (e.g. by a runner timeout); the kernel's
  // parent-death signal still reaps the daemon then. setpriv execs the daemon, so the pid stays the same.
  const [file, argv] = hasSetpriv() ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, spawnOptions);
  const alertPatterns = options.alertPatterns ?? [];
  const alerts: string[] = [];
  const ring = new LineRing(options.ringLines ?? 200, (line) => {
    if (alertPatterns.some((re) => re.test(line))) alerts.push(line);
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => ring.push(chunk, 'stdout'));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => ring.push(chunk, 'stderr'));
  // An ENOENT/EACCES from spawn arrives as an 'error' event; without a listener it would crash the test process.
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
    ring.push(`spawn error: ${err.message}\n`, 'spawn');
  });
  if (child.pid === undefined) {
    throw new Error(`${options.name}: could not spawn ${command}: ${spawnError?.message ?? 'no pid'}`);
  }
  const proc = new LoggedProcess(options.name, child, ring, alerts);
  options.registry?.track(proc);
  return proc;
}

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Describes the condition for the timeout message, e.g. "redis PING on 127.0.0.1:12345". */
  what: string;
  /** Extra context appended to the timeout error (typically a daemon's log tail). */
  diagnostics?: () => string;
}

/**
 * Polls `predicate` until it returns a value other than undefined/false. A thrown error counts as "not yet"
 * unless it is a FatalWaitError, which aborts at once (e.g. the daemon exited).
 */
export async function waitFor<T>(
  predicate: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await withDeadline(predicate(), deadline, options.what);
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (err instanceof FatalWaitError) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const last = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      const extra = options.diagnostics ? `\n${options.diagnostics()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${last}${extra}`);
    }
    await sleep(intervalMs);
  }
}

/** Thrown from a waitFor predicate to stop waiting immediately. */
export class FatalWaitError extends Error {}

/** A predicate that hangs must not hold waitFor past its deadline (plus a little to let it report). */
async function withDeadline<T>(value: Promise<T> | T, deadline: number, what: string): Promise<T> {
  if (!(value instanceof Promise)) return value;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`check for ${what} still pending at the deadline`)),
      Math.max(0, deadline - Date.now()) + 250,
    );
  });
  try {
    return await Promise.race([value, late]);
  } finally {
    clearTimeout(timer);
  }
}

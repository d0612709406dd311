// Child-process plumbing shared by the real-service test helpers (redis-server, litecoind).
// Every child is tracked so that a failing or interrupted test never leaves a daemon behind:
// the caller's after() hook stops it gracefully, and the process-exit hooks below kill -9
// whatever is still alive if the test process dies first.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const ENSURE_DEPS_HINT = 'run `bash scripts/ensure-deps.sh` (as root it apt-get installs redis-server and litecoind)';

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
  private partial = '';

  constructor(private readonly capacity = 200) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.capacity) this.lines.shift();
    }
  }

  tail(count = 40): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
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
  /** Temp directories removed when the process-exit hook fires (best effort). */
  registry?: CleanupRegistry;
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
    return `--- last ${lines.length} lines of ${this.name} (pid ${this.pid})${status} ---\n${lines.join('\n')}\n--- end ${this.name} ---`;
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
      const timer = new Promise<'timeout'>((resolve) => {
        const t = setTimeout(() => resolve('timeout'), graceMs);
        t.unref();
      });
      if ((await Promise.race([this.exited, timer])) === 'timeout') {
        this.signalTree('SIGKILL');
      }
    }
    return this.exited;
  }
}

/** Spawns a daemon with stdout/stderr captured into a ring buffer and tracked by the registry. */
export function spawnLogged(command: string, args: readonly string[], options: SpawnLoggedOptions): LoggedProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  const child = spawn(command, args, spawnOptions);
  const ring = new LineRing(options.ringLines ?? 200);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => ring.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => ring.push(chunk));
  // An ENOENT/EACCES from spawn arrives as an 'error' event; without a listener it would crash the test process.
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
    ring.push(`spawn error: ${err.message}\n`);
  });
  if (child.pid === undefined) {
    throw new Error(`${options.name}: could not spawn ${command}: ${spawnError?.message ?? 'no pid'}`);
  }
  const proc = new LoggedProcess(options.name, child, ring);
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
      const value = await predicate();
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

/** True while `pid` exists and is not a zombie. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Throws listing every pid that is still running. */
export function assertNoProcessLeft(pids: readonly number[]): void {
  const alive = pids.filter(isPidAlive);
  if (alive.length > 0) throw new Error(`processes still alive: ${alive.join(', ')}`);
}

/** Direct and indirect children of `pid`, from /proc (Linux only, which is all this project targets). */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces or parentheses: fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process exited while we were reading /proc.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent === current && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Signals a process and all its descendants, children first so none is re-parented and missed. */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  let children: number[] = [];
  try {
    children = descendantsOf(pid);
  } catch {
    // /proc unreadable: still signal the root.
  }
  for (const target of [...children.reverse(), pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Remembers live children and temp dirs so they can be destroyed synchronously when the test process
 * exits, crashes or is interrupted. Process exit hooks are process-wide by nature, so callers normally
 * share `defaultRegistry()`; tests can build their own instance.
 */
export class CleanupRegistry {
  private readonly processes = new Set<LoggedProcess>();
  private readonly dirs = new Set<string>();
  private hooked = false;

  track(proc: LoggedProcess): void {
    this.installHooks();
    this.processes.add(proc);
    void proc.exited.then(() => this.processes.delete(proc));
  }

  trackDir(dir: string): void {
    this.installHooks();
    this.dirs.add(dir);
  }

  /** Removes a directory now and forgets it. */
  removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    this.dirs.delete(dir);
  }

  get liveCount(): number {
    return this.processes.size;
  }

  /** Synchronous last-resort cleanup: only synchronous work runs inside process 'exit'. */
  killAllSync(): void {
    for (const proc of this.processes) {
      if (!proc.hasExited) killTree(proc.pid, 'SIGKILL');
    }
    this.processes.clear();
    for (const dir of this.dirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Best effort while exiting.
      }
    }
    this.dirs.clear();
  }

  private installHooks(): void {
    if (this.hooked) return;
    this.hooked = true;
    // 'exit' also fires after an uncaught exception or unhandled rejection, so crashes are covered.
    process.once('exit', () => this.killAllSync());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = (): void => {
        this.killAllSync();
        // Re-raise with the default disposition so the exit status still says "killed by signal".
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      };
      process.once(signal, onSignal);
    }
  }
}

// One per test process on purpose: the exit/signal hooks it installs are per process, and a second
// registry would re-raise signals before the first had killed its children.
const processRegistry = new CleanupRegistry();

/** The registry every helper uses unless a test passes its own. */
export function defaultRegistry(): CleanupRegistry {
  return processRegistry;
}

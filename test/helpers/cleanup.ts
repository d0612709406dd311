// Process-tree and temp-dir cleanup for the test helpers: what must still happen when a test fails,
// throws, or the whole test process is interrupted.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import type { LoggedProcess } from './processes.js';

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

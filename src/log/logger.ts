import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  readonly level?: 'error' | 'warn' | 'info' | 'debug';
  readonly json?: boolean;
  /** Context carried on every line: role, pool, fork, connection. */
  readonly context?: Readonly<Record<string, string | number>>;
}

/**
 * One logger per process, created by the process entry; modules take a child logger with their own context.
 * Lines go to stderr so stdout stays free for command output (--check-config prints the config there).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.HEADFRAME_LOG_LEVEL as LoggerOptions['level']) ?? 'info';
  const text = winston.format.printf((info) => {
    const { level: lvl, message, timestamp, ...rest } = info as Record<string, unknown>;
    const ctx = ['role', 'pool', 'fork', 'conn']
      .filter((k) => rest[k] !== undefined)
      .map((k) => `${k}=${String(rest[k])}`)
      .join(' ');
    for (const k of ['role', 'pool', 'fork', 'conn']) delete rest[k];
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${String(timestamp)} ${String(lvl)} [${ctx}] ${String(message)}${extra}`;
  });
  return winston.createLogger({
    level,
    defaultMeta: options.context ?? {},
    format: winston.format.combine(
      winston.format.timestamp(),
      options.json ? winston.format.json() : text,
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
  });
}

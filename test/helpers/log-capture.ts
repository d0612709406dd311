// A logger that keeps its lines, for tests that assert what a component said.
import { Writable } from 'node:stream';
import winston from 'winston';

export interface CapturedLine {
  readonly level: string;
  readonly message: string;
}

export function captureLog(level = 'debug'): { logger: winston.Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: CapturedLine, _encoding, callback) {
      lines.push({ level: info.level, message: info.message });
      callback();
    },
  });
  return { logger: winston.createLogger({ level, transports: [new winston.transports.Stream({ stream })] }), lines };
}

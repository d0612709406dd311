// One HTTP POST with a hard deadline over the whole exchange. node:http on its own never gives up on a daemon that
// accepts the connection and stays silent, so the timer here destroys the request whatever phase it is in.
import http from 'node:http';
import { DaemonError } from './errors.js';

export interface HttpPostRequest {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** A keep-alive pool for repeatable calls, or `false` for a connection of its own. */
  readonly agent: http.Agent | false;
  readonly maxResponseBytes: number;
  /** For error messages and fields: `host:port` and the RPC method (or batch label). */
  readonly daemon: string;
  readonly method: string;
}

export type HttpPostOutcome =
  | { readonly ok: true; readonly status: number; readonly body: string }
  | {
      readonly ok: false;
      readonly error: DaemonError;
      /**
       * The failure hit a pooled socket before any answer arrived: the daemon most likely closed it while it sat idle,
       * so the request did not reach it and a repeatable call may be sent once more on a fresh socket.
       */
      readonly staleSocket: boolean;
    };

type Phase = 'connecting' | 'waiting for the answer' | 'reading the answer';

export function httpPost(req: HttpPostRequest): Promise<HttpPostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let reused = false;
    let phase: Phase = 'connecting';

    const finish = (outcome: HttpPostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const fail = (code: 'DAEMON_TIMEOUT' | 'DAEMON_NETWORK' | 'DAEMON_BAD_RESPONSE', message: string, cause?: unknown) => {
      if (settled) return;
      const error = new DaemonError(code, `${req.daemon} ${req.method}: ${message}`, {
        daemon: req.daemon,
        method: req.method,
        requestSent: connected,
        cause,
      });
      const staleSocket = code === 'DAEMON_NETWORK' && reused && phase !== 'reading the answer';
      finish({ ok: false, error, staleSocket });
      // Destroying after settling keeps the error event this triggers from being reported twice.
      request.destroy();
    };

    const request = http.request({
      host: req.host,
      port: req.port,
      path: req.path,
      method: 'POST',
      agent: req.agent,
      headers: { ...req.headers, 'Content-Length': String(Buffer.byteLength(req.body)) },
    });
    const timer = setTimeout(
      () => fail('DAEMON_TIMEOUT', `no complete answer within ${req.timeoutMs} ms (${phase})`),
      req.timeoutMs,
    );

    request.on('socket', (socket) => {
      reused = request.reusedSocket;
      if (reused || !socket.connecting) {
        connected = true;
        phase = 'waiting for the answer';
      } else {
        socket.once('connect', () => {
          connected = true;
          phase = 'waiting for the answer';
        });
      }
    });

    request.on('response', (res) => {
      phase = 'reading the answer';
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxResponseBytes) {
          fail('DAEMON_BAD_RESPONSE', `answer larger than ${req.maxResponseBytes} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => fail('DAEMON_NETWORK', `answer interrupted: ${describe(err)}`, err));
      res.on('close', () => {
        if (!res.complete) fail('DAEMON_NETWORK', 'connection closed before the answer was complete');
      });
    });

    request.on('error', (err) => fail('DAEMON_NETWORK', `${phase}: ${describe(err)}`, err));
    request.end(req.body);
  });
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

// Local HTTP servers that stand in for broken or scripted daemons, on 127.0.0.1 free ports below 32768.
import http from 'node:http';
import net from 'node:net';
import type { DaemonConfig } from '../../../src/config/types.js';
import { findFreePort, retryOnAddressInUse } from '../../helpers/ports.js';

export interface SeenRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
  /** Serial number of the TCP connection the request came on (1-based). */
  readonly connection: number;
}

export type Handler = (req: http.IncomingMessage, body: unknown, res: http.ServerResponse, seen: SeenRequest) => void;

export interface FakeDaemon {
  readonly port: number;
  readonly requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Replaceable at any time, e.g. to let a hanging daemon recover. */
  handler: Handler;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return retryOnAddressInUse(async () => {
    const port = await findFreePort();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return port;
  });
}

export async function startFakeDaemon(handler: Handler): Promise<FakeDaemon> {
  let connectionCount = 0;
  const sockets = new Set<net.Socket>();
  const connectionIds = new WeakMap<net.Socket, number>();
  const server = http.createServer();
  server.on('connection', (socket) => {
    connectionCount += 1;
    connectionIds.set(socket, connectionCount);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const fake: FakeDaemon = {
    port: 0,
    requests: [],
    connections: () => connectionCount,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const seen = {
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body,
        connection: connectionIds.get(req.socket) ?? 0,
      };
      fake.requests.push(seen);
      fake.handler(req, body, res, seen);
    });
  });
  const port = await listen(server);
  (fake as { port: number }).port = port;
  return fake;
}

/** Accepts TCP connections and never sends a byte: the daemon that froze NOMP pools. */
export async function startSilentServer(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers like bitcoind: result with 200, errors with 500 (or 404 for an unknown method) and a JSON body. */
export function rpcAnswer(res: http.ServerResponse, id: unknown, outcome: { result: unknown } | { code: number; message: string }) {
  const isError = 'code' in outcome;
  const status = isError ? (outcome.code === -32601 ? 404 : 500) : 200;
  const payload = isError
    ? { result: null, error: { code: outcome.code, message: outcome.message }, id }
    : { result: outcome.result, error: null, id };
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify(payload)}\n`);
}

/** A handler answering single calls through `answer(method, params)`. */
export function rpcHandler(
  answer: (method: string, params: unknown[], seen: SeenRequest) => { result: unknown } | { code: number; message: string },
): Handler {
  return (_req, body, res, seen) => {
    const call = body as { id: unknown; method: string; params: unknown[] };
    rpcAnswer(res, call.id, answer(call.method, call.params, seen));
  };
}

export function daemonConfig(port: number, overrides: Partial<DaemonConfig> = {}): DaemonConfig {
  return { host: '127.0.0.1', port, user: 'pool', password: 'secret', wallet: null, timeoutMs: 1000, ...overrides };
}

/** A port nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  return findFreePort();
}

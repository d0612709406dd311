// Minimal JSON-RPC client for driving regtest daemons from tests. Test-only on purpose: the product has its
// own daemon client, and tests must not depend on the code they are checking.
import { request } from 'node:http';

/** The daemon answered with a JSON-RPC error object (HTTP 500, or 404 for an unknown method). */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
  ) {
    super(`RPC ${method} failed: ${rpcMessage} (code ${code})`);
  }
}

export interface RpcTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * One JSON-RPC 1.0 call. `wallet` selects the /wallet/NAME endpoint (0.21 needs it as soon as a wallet exists).
 * Errors: RpcError for daemon-reported failures, plain Error for transport problems and timeouts.
 */
export function rpcCall<T = unknown>(
  target: RpcTarget,
  method: string,
  params: unknown[] = [],
  options: { wallet?: string; timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // One request per HTTP exchange, so the id only has to be echoed back, not unique.
  const body = JSON.stringify({ jsonrpc: '1.0', id: method, method, params });
  const path = options.wallet === undefined ? '/' : `/wallet/${encodeURIComponent(options.wallet)}`;
  return new Promise<T>((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path,
        method: 'POST',
        auth: `${target.user}:${target.password}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        // A fresh connection per call: keep-alive sockets to a daemon that is being stopped cause stray ECONNRESETs.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: { result?: T; error?: { code: number; message: string } | null } | undefined;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (parsed?.error) {
            reject(new RpcError(method, parsed.error.code, parsed.error.message));
          } else if (res.statusCode !== 200 || parsed === undefined) {
            reject(new Error(`RPC ${method} on port ${target.port}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          } else {
            resolve(parsed.result as T);
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`RPC ${method} on port ${target.port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

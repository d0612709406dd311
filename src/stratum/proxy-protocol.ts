// The PROXY protocol header (HAProxy's v1 text and v2 binary forms) that a load balancer puts ahead of stratum: it
// carries the miner's own address, so bans, stats and logs name the miner rather than the proxy. Only connections
// from configured proxy addresses are read this way; anyone else could claim any address with it.
import { isIP, type Socket } from 'node:net';

export class ProxyHeaderError extends Error {}

/** Longest v1 line (the spec's 107 bytes, CRLF included). */
const V1_MAX = 107;
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** v2 header with room for TLVs; a proxy sending more is not one we support. */
const V2_MAX = 16 + 520;

export interface ProxyHeader {
  /** The client's address, or null when the proxy says it has none to give (v1 UNKNOWN, v2 LOCAL or UNSPEC). */
  readonly ip: string | null;
  /** Bytes the header took; stratum starts right after. */
  readonly length: number;
}

function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

/** Parses a header at the start of `data`: null while more bytes are needed; throws when it cannot be one. */
export function parseProxyHeader(data: Buffer): ProxyHeader | null {
  if (startsLike(data, V2_SIGNATURE)) return data.length < V2_SIGNATURE.length ? null : parseV2(data);
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? null : parseV1(data);
  throw new ProxyHeaderError('not a PROXY protocol header');
}

function parseV1(data: Buffer): ProxyHeader | null {
  const end = data.subarray(0, V1_MAX).indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (data.length >= V1_MAX) throw new ProxyHeaderError('PROXY v1 line longer than 107 bytes');
    return null;
  }
  const parts = data.toString('latin1', 0, end).split(' ');
  const length = end + 2;
  if (parts[1] === 'UNKNOWN') return { ip: null, length };
  const [, family, source, destination, sourcePort, destinationPort] = parts;
  const version = family === 'TCP4' ? 4 : family === 'TCP6' ? 6 : 0;
  if (version === 0 || parts.length !== 6) throw new ProxyHeaderError(`PROXY v1 line not understood: ${JSON.stringify(parts.slice(0, 6).join(' '))}`);
  if (isIP(source) !== version || isIP(destination) !== version) throw new ProxyHeaderError(`PROXY v1 addresses are not ${family}`);
  for (const port of [sourcePort, destinationPort]) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new ProxyHeaderError(`PROXY v1 port ${JSON.stringify(port)} is not a port`);
  }
  return { ip: source, length };
}

function parseV2(data: Buffer): ProxyHeader | null {
  if (data.length < 16) return null;
  const versionCommand = data[12];
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError(`PROXY v2 version ${versionCommand >> 4} is not 2`);
  const command = versionCommand & 0x0f;
  if (command > 1) throw new ProxyHeaderError(`PROXY v2 command ${command} is neither LOCAL nor PROXY`);
  const length = 16 + data.readUInt16BE(14);
  if (length > V2_MAX) throw new ProxyHeaderError(`PROXY v2 header of ${length} bytes is too long`);
  if (data.length < length) return null;
  const family = data[13] >> 4;
  // LOCAL: the proxy's own connection (health checks); UNSPEC or UNIX: no client address to give.
  if (command === 0 || (family !== 1 && family !== 2)) return { ip: null, length };
  if (family === 1) {
    if (length < 16 + 12) throw new ProxyHeaderError('PROXY v2 INET header too short for its addresses');
    return { ip: Array.from(data.subarray(16, 20)).join('.'), length };
  }
  if (length < 16 + 36) throw new ProxyHeaderError('PROXY v2 INET6 header too short for its addresses');
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(16 + 2 * i).toString(16));
  return { ip: groups.join(':'), length };
}

/**
 * Reads the header off `socket` within `timeoutMs`, puts back whatever followed it (stratum sent in the same packet)
 * and resolves with the client's address (null: none given). The socket is left paused for its next reader.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (error: Error | null, header?: ProxyHeader): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (error || !header) {
        reject(error ?? new ProxyHeaderError('no PROXY header'));
        return;
      }
      const rest = buffered.subarray(header.length);
      if (rest.length > 0) socket.unshift(rest);
      resolve(header.ip);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        let header: ProxyHeader | null;
        try {
          header = parseProxyHeader(buffered);
        } catch (err) {
          finish(err as Error);
          return;
        }
        if (header) {
          finish(null, header);
          return;
        }
      }
    };
    const onClose = (): void => finish(new ProxyHeaderError('connection closed before its PROXY header'));
    const onError = (err: Error): void => finish(err);
    const timer = setTimeout(() => finish(new ProxyHeaderError(`no PROXY header within ${timeoutMs} ms`)), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('close', onClose);
    socket.on('error', onError);
  });
}

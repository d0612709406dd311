// HTTP listener + websocket endpoint (/ws) around the website app. Websocket clients only receive: anything they
// send is ignored, and a client that cannot keep up is dropped rather than buffered without bound.
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../log/logger.js';
import { createWebsiteApp, type WebsiteAppOptions } from './app.js';
import { DEFAULT_LIVE_STREAM_LIMITS, LiveAdmission, LiveHub, type LiveStreamLimits } from './live.js';

export interface WebsiteServerOptions extends Omit<WebsiteAppOptions, 'hub'> {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** Milliseconds between snapshot version checks. */
  readonly livePollMs?: number;
}

export class WebsiteServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  readonly hub: LiveHub;
  private readonly log: Logger;
  /** The /api/live_stats bounds, applied to websockets too (counted apart from the streams). */
  private readonly limits: LiveStreamLimits;
  private readonly sockets = new Set<WebSocket>();
  /** Websockets open or being opened, all together and per client address. */
  private readonly admission: LiveAdmission;

  constructor(private readonly options: WebsiteServerOptions) {
    this.log = options.logger.child({ component: 'website' });
    this.limits = { ...DEFAULT_LIVE_STREAM_LIMITS, ...options.liveLimits };
    this.admission = new LiveAdmission(this.limits, 'live connections');
    this.hub = new LiveHub(options.pools.map((p) => p.id), options.store, this.log, options.livePollMs);
    this.http = createServer(createWebsiteApp({ ...options, hub: this.hub }));
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 30_000;
    // The upgrade is handled here rather than by ws itself, so the caps are checked before any handshake work.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.hub.subscribe((_message, json) => this.broadcast(json));
  }

  /** Websockets open (or in their handshake) right now. */
  get liveConnections(): number {
    return this.admission.count;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if ((req.url ?? '').split('?')[0] !== '/ws') {
      refuse(socket, 400, { error: 'bad_request', message: 'websockets are served on /ws only' });
      return;
    }
    const admitted = this.admission.admit(req.socket.remoteAddress ?? '');
    if (!admitted.ok) {
      refuse(socket, admitted.status, admitted.body, { 'Retry-After': '60' });
      return;
    }
    // Held until the TCP socket closes, which it does exactly once however the websocket ends (or its handshake fails).
    socket.once('close', admitted.release);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.terminate());
  }

  private broadcast(json: string): void {
    if (this.sockets.size === 0) return;
    // One buffer for every socket: ws would encode a string again for each one.
    const data = Buffer.from(json);
    for (const socket of this.sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (socket.bufferedAmount > this.limits.maxBufferedBytes) {
        socket.terminate();
        continue;
      }
      socket.send(data, { binary: false });
    }
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.hub.start();
    const address = this.http.address() as AddressInfo;
    this.log.info(`website listening on http://${address.address}:${address.port}`);
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    this.hub.stop();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Answers an upgrade request with a plain HTTP error (the JSON shape of the API's errors) and closes. */
function refuse(socket: Duplex, status: number, body: { error: string; message: string }, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const lines = Object.entries({
    Connection: 'close',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${text}`);
}

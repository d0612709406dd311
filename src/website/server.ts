// HTTP listener + websocket endpoint (/ws) around the website app. Websocket clients only receive: anything they
// send is ignored, and a client that cannot keep up is dropped rather than buffered without bound.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log/logger.js';
import { createWebsiteApp, type WebsiteAppOptions } from './app.js';
import { LiveHub, MAX_BUFFERED_BYTES } from './live.js';

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

  constructor(private readonly options: WebsiteServerOptions) {
    this.log = options.logger.child({ component: 'website' });
    this.hub = new LiveHub(options.pools.map((p) => p.id), options.store, this.log, options.livePollMs);
    this.http = createServer(createWebsiteApp({ ...options, hub: this.hub }));
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 30_000;
    this.wss = new WebSocketServer({ server: this.http, path: '/ws', maxPayload: 1024 });
    this.wss.on('connection', (socket) => this.onSocket(socket));
  }

  private onSocket(socket: WebSocket): void {
    const unsubscribe = this.hub.subscribe((message) => {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        return;
      }
      socket.send(JSON.stringify(message));
    });
    socket.on('close', unsubscribe);
    socket.on('error', () => socket.terminate());
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

// The website's express app, without listen(), so tests mount it on any port. Pages are static files that
// fetch the API; miner-controlled text never goes through server-side templates.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../log/logger.js';
import { createApiRouter } from './api.js';
import { DEFAULT_LIVE_STREAM_LIMITS, LiveAdmission, type LiveHub, type LiveStreamLimits } from './live.js';
import { assemblePages, type PageName } from './pages.js';
import type { PoolInfo } from './pool-info.js';
import type { SnapshotReader } from './snapshot-store.js';

export interface WebsiteAppOptions {
  readonly pools: readonly PoolInfo[];
  readonly store: SnapshotReader;
  readonly hub: LiveHub;
  readonly logger: Logger;
  /** Folder of the static site; defaults to the repository's website/. */
  readonly staticDir?: string;
  /** Bounds on /api/live_stats (defaults: DEFAULT_LIVE_STREAM_LIMITS). */
  readonly liveLimits?: Partial<LiveStreamLimits>;
}

const REPO_ROOT_CANDIDATES = ['../../', '../../../'];

/** The repository root seen from this compiled module (dist/website or .build/src/website). */
function defaultPath(rel: string): string {
  for (const up of REPO_ROOT_CANDIDATES) {
    const path = fileURLToPath(new URL(`${up}${rel}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`${rel} not found near ${fileURLToPath(import.meta.url)}`);
}

const ROUTES: Record<string, PageName> = {
  '/': 'index',
  '/getting-started': 'getting-started',
  '/blocks': 'blocks',
  '/payments': 'payments',
  // The address is validated by the API the page calls; the page itself is the same for every address.
  '/miner/:address': 'miner',
};

/**
 * The server-sent events stream. Every stream is a connection held open and a subscriber fed on every refresh, so
 * their number is capped (overall and per client address), and a client that does not read what it is sent is
 * dropped once its backlog passes the bound instead of growing the process' memory without end.
 */
function liveStats(hub: LiveHub, limits: LiveStreamLimits) {
  const admission = new LiveAdmission(limits, 'live streams');
  return (req: Request, res: Response): void => {
    if (req.socket.destroyed) return;
    const admitted = admission.admit(req.socket.remoteAddress ?? '');
    if (!admitted.ok) {
      res.status(admitted.status).set('Retry-After', '60').json(admitted.body);
      return;
    }
    let unsubscribe = (): void => undefined;
    let closed = false;
    // 'close' on the response fires however the stream ends: client gone, dropped below, or server shutdown.
    res.on('close', () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      admitted.release();
    });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    unsubscribe = hub.subscribe((message, json) => {
      if (closed || res.destroyed) return;
      if (res.writableLength > limits.maxBufferedBytes) {
        unsubscribe();
        res.destroy();
        return;
      }
      res.write(`event: ${message.type}\ndata: ${json}\n\n`);
    });
  };
}

export function createWebsiteApp(options: WebsiteAppOptions): Express {
  const app = express();
  const staticDir = options.staticDir ?? defaultPath('website');
  const uplotDir = defaultPath('node_modules/uplot/dist');
  const log = options.logger.child({ component: 'website' });
  const pages = assemblePages(staticDir);
  const sendPage = (res: Response, name: PageName) => res.type('html').send(pages.get(name));
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // Pages run only our own scripts: a script injected through a worker name could not run even if a page forgot
  // to escape it.
  app.use((_req, res, next) => {
    res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'");
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    next();
  });

  // The API's documentation page sits at /api itself, so it is routed before the API's own 404.
  app.get('/api', (_req, res) => res.sendFile('api.html', { root: staticDir }));
  app.get('/api/live_stats', liveStats(options.hub, { ...DEFAULT_LIVE_STREAM_LIMITS, ...options.liveLimits }));
  app.use('/api', createApiRouter({ pools: options.pools, store: options.store }));

  for (const [path, name] of Object.entries(ROUTES)) app.get(path, (_req, res) => sendPage(res, name));
  app.use('/vendor/uplot', express.static(uplotDir, { index: false, maxAge: '1d' }));
  // The layout and page fragments are put together above; served raw they would be broken pages.
  app.use('/pages', (_req, res) => sendPage(res.status(404), 'not-found'));
  app.use(express.static(staticDir, { index: false, extensions: ['html'], maxAge: '5m' }));

  app.use((_req, res) => sendPage(res.status(404), 'not-found'));
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    log.warn(`request failed: ${err.message}`);
    if (res.headersSent) return;
    res.status(500).json({ error: 'internal', message: 'stats are unavailable right now' });
  });
  return app;
}

// JSON API: the NOMP paths existing dashboards and scripts call, and the documented, versioned /api/v1.
// Every answer comes from snapshots (SnapshotReader), never from the raw share data.
import express, { type Request, type Response, type Router } from 'express';
import { paginate } from './paging.js';
import type { PoolInfo } from './pool-info.js';
import type { SnapshotReader } from './snapshot-store.js';
import type { BlockStatus, PoolSnapshot } from './types.js';

export interface ApiOptions {
  readonly pools: readonly PoolInfo[];
  readonly store: SnapshotReader;
}

/** The pool figures without the block and payment lists, for overviews and live messages. */
export function poolSummary(s: PoolSnapshot): Omit<PoolSnapshot, 'blocks' | 'payments'> {
  const { blocks: _blocks, payments: _payments, ...rest } = s;
  return rest;
}

type Handler = (req: Request, res: Response) => Promise<void>;

function wrap(handler: Handler) {
  return (req: Request, res: Response, next: (err?: unknown) => void) => {
    handler(req, res).catch(next);
  };
}

function notFound(res: Response, what: string): void {
  res.status(404).json({ error: 'not_found', message: what });
}

const STATUSES = new Set<BlockStatus>(['pending', 'confirmed', 'orphaned']);

export function createApiRouter(options: ApiOptions): Router {
  const { store } = options;
  const pools = new Map(options.pools.map((p) => [p.id, p]));
  const router = express.Router();

  const snapshots = async (): Promise<PoolSnapshot[]> =>
    (await Promise.all(options.pools.map((p) => store.pool(p.id)))).filter((s): s is PoolSnapshot => s !== null);

  // Snapshots change every refresh: short caching keeps a busy page cheap without showing stale numbers for long.
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-cache');
    next();
  });

  // ── versioned API ──────────────────────────────────────────────────────────────────────────────────────────
  router.get('/v1/pools', wrap(async (_req, res) => {
    res.json({ pools: (await snapshots()).map(poolSummary) });
  }));

  const poolOf = (req: Request, res: Response): PoolInfo | null => {
    const pool = pools.get(String(req.params.pool));
    if (!pool) notFound(res, 'no such pool');
    return pool ?? null;
  };

  router.get('/v1/pools/:pool', wrap(async (req, res) => {
    const pool = poolOf(req, res);
    if (!pool) return;
    const snap = await store.pool(pool.id);
    if (!snap) return notFound(res, 'no stats yet');
    res.json({ pool: poolSummary(snap) });
  }));

  router.get('/v1/pools/:pool/history', wrap(async (req, res) => {
    const pool = poolOf(req, res);
    if (!pool) return;
    res.json({ fields: ['time', 'hashrate', 'miners', 'workers'], points: await store.history(pool.id) });
  }));

  router.get('/v1/pools/:pool/blocks', wrap(async (req, res) => {
    const pool = poolOf(req, res);
    if (!pool) return;
    const snap = await store.pool(pool.id);
    const status = typeof req.query.status === 'string' ? req.query.status : null;
    if (status !== null && !STATUSES.has(status as BlockStatus)) {
      res.status(400).json({ error: 'bad_request', message: 'status must be pending, confirmed or orphaned' });
      return;
    }
    const blocks = (snap?.blocks ?? []).filter((b) => status === null || b.status === status);
    res.json({ counts: snap?.blockCounts ?? { pending: 0, confirmed: 0, orphaned: 0 }, ...paginate(blocks, req.query) });
  }));

  router.get('/v1/pools/:pool/payments', wrap(async (req, res) => {
    const pool = poolOf(req, res);
    if (!pool) return;
    const snap = await store.pool(pool.id);
    res.json(paginate(snap?.payments ?? [], req.query));
  }));

  /**
   * The miner under its canonical spelling, else under the spelling typed: balances recorded before logins were made
   * canonical stay under the miner's own spelling.
   */
  const minerSpelt = async (poolId: string, canonical: string, typed: string) =>
    (await store.miner(poolId, canonical)) ?? (typed !== canonical ? store.miner(poolId, typed) : null);

  const minerOf = async (req: Request, res: Response) => {
    const pool = poolOf(req, res);
    if (!pool) return null;
    const typed = String(req.params.address);
    const address = pool.payoutAddress(typed);
    if (address === null) {
      res.status(400).json({ error: 'bad_address', message: 'not an address of this pool' });
      return null;
    }
    const miner = await minerSpelt(pool.id, address, typed);
    if (!miner) notFound(res, 'no shares or balance for this address');
    return miner ? { pool, miner } : null;
  };

  router.get('/v1/pools/:pool/miners/:address', wrap(async (req, res) => {
    const found = await minerOf(req, res);
    if (!found) return;
    const { workers: _workers, ...miner } = found.miner;
    res.json({ miner, history: await store.minerHistory(found.pool.id, found.miner.address) });
  }));

  router.get('/v1/pools/:pool/miners/:address/workers', wrap(async (req, res) => {
    const found = await minerOf(req, res);
    if (found) res.json(paginate(found.miner.workers, req.query));
  }));

  router.get('/v1/pools/:pool/miners/:address/payments', wrap(async (req, res) => {
    const found = await minerOf(req, res);
    if (found) res.json(paginate(found.miner.payments, req.query));
  }));

  // ── NOMP-compatible paths ──────────────────────────────────────────────────────────────────────────────────
  router.get('/stats', wrap(async (_req, res) => {
    const snaps = await snapshots();
    const out: Record<string, unknown> = {};
    for (const s of snaps) {
      out[s.id] = {
        name: s.id,
        symbol: s.coin.symbol,
        algorithm: s.coin.algorithm,
        hashrate: s.hashrate,
        workerCount: s.workers,
        minerCount: s.miners,
        poolStats: { networkDiff: s.network?.difficulty ?? null, networkBlocks: s.network?.height ?? null, networkSols: s.network?.hashrate ?? null },
        blocks: s.blockCounts,
      };
    }
    res.json({
      time: Math.floor(Date.now() / 1000),
      global: { workers: snaps.reduce((n, s) => n + s.workers, 0), hashrate: snaps.reduce((n, s) => n + s.hashrate, 0) },
      pools: out,
    });
  }));

  router.get('/pool_stats', wrap(async (_req, res) => {
    const byTime = new Map<number, Record<string, { hashrate: number; minerCount: number; workerCount: number }>>();
    for (const p of options.pools) {
      for (const [time, hashrate, miners, workers] of await store.history(p.id)) {
        const entry = byTime.get(time) ?? {};
        entry[p.id] = { hashrate, minerCount: miners, workerCount: workers };
        byTime.set(time, entry);
      }
    }
    res.json([...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([time, pools]) => ({ time, pools })));
  }));

  router.get('/blocks', wrap(async (_req, res) => {
    const out: Record<string, string> = {};
    for (const s of await snapshots()) {
      for (const b of s.blocks) out[`${s.id}-${b.height}-${b.hash.slice(0, 16)}`] = [b.hash, b.height, b.worker, b.foundAt, b.status].join(':');
    }
    res.json(out);
  }));

  router.get('/payments', wrap(async (_req, res) => {
    res.json((await snapshots()).map((s) => ({ name: s.id, payments: s.payments })));
  }));

  // NOMP passes the address as the bare query string (`/api/worker_stats?<address>`); `?address=` works too.
  router.get('/worker_stats', wrap(async (req, res) => {
    const raw = typeof req.query.address === 'string' ? req.query.address : (req.url.split('?')[1] ?? '').split('&')[0];
    const typed = decodeURIComponent(raw ?? '').split('.')[0];
    const valid = options.pools.flatMap((pool) => {
      const address = pool.payoutAddress(typed);
      return address === null ? [] : [{ pool, address }];
    });
    if (valid.length === 0) {
      res.status(400).json({ error: 'bad_address', message: 'not an address of any pool here' });
      return;
    }
    for (const { pool, address } of valid) {
      const miner = await minerSpelt(pool.id, address, typed);
      if (!miner) continue;
      const workers: Record<string, unknown> = {};
      for (const w of miner.workers) workers[w.name] = { hashrate: w.hashrate, lastShare: w.lastShareAt, online: w.online, shares: w.validShares, invalidShares: w.invalidShares };
      const history = (await store.minerHistory(pool.id, miner.address)).map(([time, hashrate]) => ({ time, hashrate }));
      res.json({ miner: miner.address, pool: pool.id, totalHash: miner.hashrate, totalShares: miner.roundShares, immature: miner.immature, balance: miner.unpaid, paid: miner.paid, workers, history });
      return;
    }
    notFound(res, 'no shares or balance for this address');
  }));

  router.use((_req, res) => notFound(res, 'no such API path'));
  return router;
}

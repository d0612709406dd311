// Live updates: one poll of each pool's snapshot version per second (a GET per pool, whatever the number of
// open pages), and on a change one message per event to every open websocket and /api/live_stats stream.
import type { Logger } from '../log/logger.js';
import { poolSummary } from './api.js';
import type { SnapshotReader } from './snapshot-store.js';
import type { BlockView, PaymentView, PoolSnapshot } from './types.js';

export type LiveMessage =
  | { readonly type: 'stats'; readonly pool: ReturnType<typeof poolSummary> }
  | { readonly type: 'block'; readonly pool: string; readonly block: BlockView }
  | { readonly type: 'payment'; readonly pool: string; readonly payment: PaymentView };

/** `json` is `message` serialized, the same string for every listener. */
export type LiveListener = (message: LiveMessage, json: string) => void;

/** A client with this much unsent data is too slow to follow live updates: it is dropped, not buffered for. */
export const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * Bounds on the /api/live_stats event streams and, counted apart, on the /ws websockets: each open one holds a
 * connection and its unsent messages.
 */
export interface LiveStreamLimits {
  /** Streams (or websockets) open at once, all clients together (503 past it). */
  readonly maxStreams: number;
  /** Streams (or websockets) open at once from one client address (429 past it). */
  readonly maxStreamsPerAddress: number;
  /** Unsent bytes past which a stream is closed. */
  readonly maxBufferedBytes: number;
  /**
   * Peers not held to the per-address cap (still to the overall one): a reverse proxy on this host connects from
   * loopback for every visitor, and a per-address cap would leave all but a handful of them without live updates.
   */
  readonly uncappedAddresses: readonly string[];
}

export const DEFAULT_LIVE_STREAM_LIMITS: LiveStreamLimits = {
  maxStreams: 1000,
  maxStreamsPerAddress: 8,
  maxBufferedBytes: MAX_BUFFERED_BYTES,
  uncappedAddresses: ['127.0.0.1', '::1', '::ffff:127.0.0.1'],
};

export type Admission =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly status: 503 | 429; readonly body: { readonly error: string; readonly message: string } };

/**
 * Counts one kind of live connection (event streams, or websockets) against LiveStreamLimits, overall and per
 * client address: the peer of the connection itself, since a forwarded-for header is whatever the client says.
 */
export class LiveAdmission {
  private open = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: LiveStreamLimits,
    private readonly what: string,
  ) {}

  get count(): number {
    return this.open;
  }

  /** Admits a connection from `client`, or says why not; `release` must run exactly once when it ends. */
  admit(client: string): Admission {
    const capped = !this.limits.uncappedAddresses.includes(client);
    const mine = this.perAddress.get(client) ?? 0;
    if (this.open >= this.limits.maxStreams) {
      return { ok: false, status: 503, body: { error: 'unavailable', message: `too many ${this.what} open; try again later` } };
    }
    if (capped && mine >= this.limits.maxStreamsPerAddress) {
      return { ok: false, status: 429, body: { error: 'too_many_requests', message: `at most ${this.limits.maxStreamsPerAddress} ${this.what} per client address` } };
    }
    this.open += 1;
    this.perAddress.set(client, mine + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.open -= 1;
        const left = (this.perAddress.get(client) ?? 1) - 1;
        if (left > 0) this.perAddress.set(client, left);
        else this.perAddress.delete(client);
      },
    };
  }
}

const blockKey = (b: BlockView): string => `${b.height}:${b.hash}:${b.status}`;

export class LiveHub {
  private readonly listeners = new Set<LiveListener>();
  private readonly versions = new Map<string, number>();
  private readonly seen = new Map<string, { blocks: Set<string>; payments: Set<string> }>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly poolIds: readonly string[],
    private readonly store: SnapshotReader,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
  ) {}

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  /** Checks every pool once; a poll still running (slow Redis) makes the next tick a no-op instead of piling up. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const id of this.poolIds) {
        const version = await this.store.version(id);
        if (version === this.versions.get(id)) continue;
        const snap = await this.store.pool(id);
        if (!snap) continue;
        this.versions.set(id, version);
        this.publish(snap);
      }
    } catch (err) {
      this.logger.warn(`live update poll failed: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private publish(snap: PoolSnapshot): void {
    const known = this.seen.get(snap.id);
    const blocks = new Set(snap.blocks.map(blockKey));
    const payments = new Set(snap.payments.map((p) => p.txid));
    this.seen.set(snap.id, { blocks, payments });
    this.emit({ type: 'stats', pool: poolSummary(snap) });
    // The first snapshot seen only sets the baseline: pages load the lists themselves.
    if (!known) return;
    for (const b of [...snap.blocks].reverse()) if (!known.blocks.has(blockKey(b))) this.emit({ type: 'block', pool: snap.id, block: b });
    for (const p of [...snap.payments].reverse()) if (!known.payments.has(p.txid)) this.emit({ type: 'payment', pool: snap.id, payment: p });
  }

  private emit(message: LiveMessage): void {
    if (this.listeners.size === 0) return;
    // Once per message: every open page gets the same text, and a snapshot message is large.
    const json = JSON.stringify(message);
    for (const listener of this.listeners) {
      try {
        listener(message, json);
      } catch (err) {
        this.logger.warn(`live listener failed: ${(err as Error).message}`);
      }
    }
  }
}

// Reads coin prices from one configured HTTP JSON source. Every request has a deadline (the signal also bounds the
// body read) and a bounded number of retries; a source that fails just contributes no prices this round.
import { setTimeout as delay } from 'node:timers/promises';
import type { PriceSourceConfig } from '../config/types.js';
import { PRICE_DECIMALS } from './profitability.js';

export interface FetchPricesOptions {
  readonly timeoutMs: number;
  readonly retries: number;
  /** Pause before the n-th retry is n times this (default 250 ms). */
  readonly retryDelayMs?: number;
  readonly fetch?: typeof fetch;
  /** Called before each repeated attempt (for the outbound retry metric). */
  readonly onRetry?: () => void;
  /** Aborts waiting and requests at shutdown. */
  readonly signal?: AbortSignal;
}

export type PriceFetch =
  | { readonly ok: true; readonly prices: ReadonlyMap<string, string>; readonly missing: readonly string[]; readonly attempts: number }
  | { readonly ok: false; readonly error: string; readonly attempts: number };

/** Decimal prices only: no exponent, no sign. */
const DECIMAL = /^(\d{1,15})(?:\.(\d+))?$/;

/**
 * A price as a plain positive decimal string with at most PRICE_DECIMALS fraction digits, or null when the value is
 * not a usable price. Digits past the 18th are cut off, on the text, with no float arithmetic: a full-precision
 * double such as 0.000012345678901234567 is a real price, and refusing it would leave its coin unpriced every
 * round; what is cut off is under 1e-18.
 */
export function normalizePrice(value: unknown): string | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    text = plainDecimal(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const fraction = match[2]?.slice(0, PRICE_DECIMALS);
  const price = fraction === undefined ? match[1] : `${match[1]}.${fraction}`;
  return /[1-9]/.test(price) ? price : null;
}

/** A number's shortest round-trip digits without exponent notation: 1e-7 -> "0.0000001", 84.12 -> "84.12". */
function plainDecimal(value: number): string {
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(String(value));
  if (!match) return String(value);
  const digits = match[1] + (match[2] ?? '');
  const point = match[1].length + Number(match[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Follows a dot path ("data.LTC.price"); array indexes are plain numbers ("0.price"). */
export function readPath(root: unknown, path: string): unknown {
  let node = root;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function extractPrices(source: PriceSourceConfig, body: unknown): { prices: Map<string, string>; missing: string[] } {
  const prices = new Map<string, string>();
  const missing: string[] = [];
  for (const [coin, path] of Object.entries(source.prices)) {
    const price = normalizePrice(readPath(body, path));
    if (price === null) missing.push(coin);
    else prices.set(coin, price);
  }
  return { prices, missing };
}

export async function fetchPrices(source: PriceSourceConfig, options: FetchPricesOptions): Promise<PriceFetch> {
  const doFetch = options.fetch ?? fetch;
  let lastError = 'no attempt made';
  const attempts = options.retries + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) return { ok: false, error: 'aborted', attempts: attempt - 1 };
    if (attempt > 1) options.onRetry?.();
    // One controller per attempt, tied to the long-lived signal by a listener removed when the attempt ends:
    // AbortSignal.any() would register every attempt on that signal for as long as it lives.
    const attemptAbort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptAbort.abort(new DOMException(`no answer within ${options.timeoutMs} ms`, 'TimeoutError'));
    }, options.timeoutMs);
    const stop = (): void => attemptAbort.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      const response = await doFetch(source.url, { signal: attemptAbort.signal, headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body: unknown = await response.json();
      const { prices, missing } = extractPrices(source, body);
      return { ok: true, prices, missing, attempts: attempt };
    } catch (err) {
      lastError = timedOut ? `no answer within ${options.timeoutMs} ms` : (err as Error).message;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
    }
    // Ends early when the switcher stops (AbortError, ignored); node removes its listener from the signal either way.
    if (attempt < attempts) await delay((options.retryDelayMs ?? 250) * attempt, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return { ok: false, error: lastError, attempts };
}


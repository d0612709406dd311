// The website process reports the pool hashrate its stats refresher computed (the one formula the site shows), read
// back from the snapshot on a timer so a scrape never waits on Redis.
import type { HeadframeMetrics } from './metrics.js';

export interface SnapshotReader {
  pool(poolId: string): Promise<{ readonly hashrate: number } | null>;
}

/** Starts copying each pool's snapshot hashrate into the gauge every `intervalMs`; returns the stop function. */
export function reportSnapshotHashrate(metrics: HeadframeMetrics, pools: readonly string[], reader: SnapshotReader, intervalMs = 15_000): () => void {
  const update = async (): Promise<void> => {
    for (const pool of pools) {
      try {
        const snapshot = await reader.pool(pool);
        if (snapshot) metrics.pool.poolHashrate.set({ pool }, snapshot.hashrate);
      } catch {
        // Redis away: keep the last value; the website logs the outage itself.
      }
    }
  };
  void update();
  const timer = setInterval(() => void update(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

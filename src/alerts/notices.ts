// One-off notices: a block the daemon accepted, payments halted. Each is claimed in Redis before it is sent, so it goes
// out at most once across restarts and instances (a notice is informational; a duplicate is worse than a gap).
import type { Logger } from '../log/logger.js';
import type { AlertStore } from './alert-store.js';
import type { Notice, Notifier } from './notifier.js';

/** Block-found notices only for blocks found this recently, so enabling alerts does not replay old blocks. */
const BLOCK_NOTICE_MAX_AGE_MS = 3600_000;

export async function collectNotices(store: AlertStore, pool: string, now: number): Promise<Notice[]> {
  const notices: Notice[] = [];
  for (const block of await store.pendingBlocks(pool)) {
    if (block.verdict !== 'accepted' || now - block.foundAt > BLOCK_NOTICE_MAX_AGE_MS) continue;
    notices.push({
      id: `block:${block.id}`,
      kind: 'block-found',
      pool,
      text: `Block ${block.height} found on pool ${pool} by ${block.worker} (${block.hash}).`,
      at: block.foundAt,
      details: { height: block.height, hash: block.hash, reward: block.reward, worker: block.worker },
    });
  }
  const halt = await store.paymentHalt(pool);
  if (halt) {
    notices.push({
      id: `payments-halted:${halt.at}`,
      kind: 'payments-halted',
      pool,
      text: `Payments for pool ${pool} are halted: ${halt.reason}. An operator must check the wallet before they resume.`,
      at: halt.at,
      details: { reason: halt.reason },
    });
  }
  return notices;
}

export async function sendNotices(store: AlertStore, notifiers: readonly Notifier[], pool: string, now: number, log: Logger): Promise<void> {
  for (const notice of await collectNotices(store, pool, now)) {
    if (!(await store.claimNotice(pool, notice.id, now))) continue;
    await Promise.all(
      notifiers.map((n) => n.notice(notice).catch((error: unknown) => log.warn(`${n.name}: notice ${notice.id} not delivered: ${(error as Error).message}`))),
    );
  }
}

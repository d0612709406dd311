// The stratum backend of a switching port: it hands out the selected coin's jobs and sends every share to the
// backend of the coin whose job it was built on, so a share mined just before a switch still credits the coin it
// was mined for. Each pool numbers its jobs on its own ("1", "2", ...), so job ids here carry a two-hex-digit
// prefix naming the coin's place in the switch: "01" + "1a" is job 1a of the switch's second coin.
import type { ExtranonceAllocator } from '../mining/extranonce.js';
import type { JobNotification, ShareOutcome, ShareSubmission, StratumBackend } from '../mining/types.js';

/** Most coins one switch can list: the prefix is one byte. */
export const MAX_SWITCH_COINS = 256;

export interface SwitchingBackendOptions {
  /** The switch's coins in config order; the first is mined until something is selected. */
  readonly coins: readonly string[];
  /** The running backend of a coin's pool right now (pools can be reloaded, so never cached). */
  readonly backendOf: (coin: string) => StratumBackend | undefined;
  /** Shared with every pool of the worker, so a miner keeps a unique extranonce1 whichever coin it mines. */
  readonly extranonces: ExtranonceAllocator;
  readonly extranonce2Size: number;
}

export interface DecodedJobId {
  readonly coin: string;
  readonly jobId: string;
}

export class SwitchingBackend implements StratumBackend {
  readonly extranonce2Size: number;
  private selectedIndex = 0;
  /** Wrapped notifications by the pool's original, so a broadcast to thousands serializes one object. */
  private readonly wrapped = new WeakMap<JobNotification, JobNotification>();
  private readonly wrappedClean = new WeakMap<JobNotification, JobNotification>();

  constructor(private readonly options: SwitchingBackendOptions) {
    if (options.coins.length === 0 || options.coins.length > MAX_SWITCH_COINS) {
      throw new RangeError(`a switch needs 1-${MAX_SWITCH_COINS} coins, got ${options.coins.length}`);
    }
    this.extranonce2Size = options.extranonce2Size;
  }

  get selected(): string {
    return this.options.coins[this.selectedIndex];
  }

  /** Makes `coin` the one new work comes from; false when the switch does not list it. */
  select(coin: string): boolean {
    const index = this.options.coins.indexOf(coin);
    if (index < 0) return false;
    this.selectedIndex = index;
    return true;
  }

  allocateExtranonce1(): string {
    return this.options.extranonces.allocate();
  }

  releaseExtranonce1(extranonce1: string): void {
    this.options.extranonces.release(extranonce1);
  }

  /**
   * A miner here may be moved to any of the coins, so its address must be payable on all of them. Where the coins
   * spell it differently (one knows a legacy script-hash version the other prefers), the miner's own spelling stays.
   */
  payoutAddress(address: string): string | null {
    const spellings = new Set<string>();
    for (const coin of this.options.coins) {
      const payout = this.options.backendOf(coin)?.payoutAddress(address) ?? null;
      if (payout === null) return null;
      spellings.add(payout);
    }
    return spellings.size === 1 ? [...spellings][0] : address;
  }

  currentJob(): JobNotification | null {
    const job = this.options.backendOf(this.selected)?.currentJob() ?? null;
    return job === null ? null : this.wrap(this.selected, job, false);
  }

  /** The selected coin's current job as a clean job: what miners get at a switch, so they drop the old coin's work. */
  currentJobClean(): JobNotification | null {
    const job = this.options.backendOf(this.selected)?.currentJob() ?? null;
    return job === null ? null : this.wrap(this.selected, job, true);
  }

  /** A job of `coin`'s pool as miners on this port see it. */
  wrap(coin: string, job: JobNotification, clean: boolean): JobNotification {
    const cache = clean ? this.wrappedClean : this.wrapped;
    let out = cache.get(job);
    if (out === undefined) {
      const index = this.options.coins.indexOf(coin);
      if (index < 0) throw new Error(`coin ${coin} is not part of this switch`);
      const jobId = index.toString(16).padStart(2, '0') + job.jobId;
      const params = job.params.slice();
      params[0] = jobId;
      if (clean) params[8] = true;
      out = { jobId, params, cleanJobs: clean || job.cleanJobs };
      cache.set(job, out);
    }
    return out;
  }

  decodeJobId(jobId: string): DecodedJobId | null {
    if (jobId.length < 3 || !/^[0-9a-f]{2}/.test(jobId)) return null;
    const coin = this.options.coins[parseInt(jobId.slice(0, 2), 16)];
    return coin === undefined ? null : { coin, jobId: jobId.slice(2) };
  }

  submitShare(share: ShareSubmission): Promise<ShareOutcome> {
    const decoded = this.decodeJobId(share.jobId);
    const backend = decoded ? this.options.backendOf(decoded.coin) : undefined;
    if (!decoded || !backend) {
      return Promise.resolve({ ok: false, code: 21, reason: 'job-not-found', message: 'Job not found' });
    }
    return backend.submitShare({ ...share, jobId: decoded.jobId });
  }
}

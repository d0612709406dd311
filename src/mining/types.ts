// The contract between the stratum layer (sockets, JSON-RPC, sessions) and the mining layer (jobs, share checks).
// The stratum layer never sees coins or Redis; the mining layer never sees sockets.

/** A job as miners receive it. `params` are mining.notify's nine params; the stratum layer serializes them once. */
export interface JobNotification {
  readonly jobId: string;
  /** ["jobId", prevhash, coinb1, coinb2, [branch...], version, nbits, ntime, cleanJobs] */
  readonly params: readonly unknown[];
  readonly cleanJobs: boolean;
}

/** One mining.submit after the stratum layer checked its shape (strings present) and the worker's authorization. */
export interface ShareSubmission {
  readonly jobId: string;
  readonly extranonce1: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** BIP310 version bits (8 hex chars) when the miner sent a sixth param. */
  readonly versionBits: string | null;
  /** The version-rolling mask negotiated on this connection (0 when none). */
  readonly versionMask: number;
  /**
   * The difficulty this share is judged and credited at: the lower of the difficulty in force when the job was sent
   * and the current one, so in-flight work from before a difficulty change still counts.
   */
  readonly difficulty: number;
  /** The full `address.worker` login this connection authorized. */
  readonly workerName: string;
  /** The address part of workerName. */
  readonly minerAddress: string;
  readonly ip: string;
  readonly port: number;
}

export type ShareRejectReason =
  | 'job-not-found'
  | 'duplicate'
  | 'low-difficulty'
  | 'bad-extranonce2'
  | 'bad-ntime'
  | 'ntime-out-of-range'
  | 'bad-nonce'
  | 'bad-version-bits'
  | 'internal-error';

export type ShareOutcome =
  | {
      readonly ok: true;
      /** The difficulty the share was credited at. */
      readonly difficulty: number;
      /** The difficulty the hash actually reached. */
      readonly shareDifficulty: number;
      /** Set when the share also met the network target: the block hash (RPC byte order). */
      readonly blockHash: string | null;
    }
  | {
      readonly ok: false;
      /** Stratum error code: 20 other, 21 job not found, 22 duplicate, 23 low difficulty. */
      readonly code: 20 | 21 | 22 | 23;
      readonly reason: ShareRejectReason;
      readonly message: string;
    };

/** What the stratum layer needs from the mining side of one pool. */
export interface StratumBackend {
  /** A fresh extranonce1 (8 lowercase hex chars), unique across forks and instances. */
  allocateExtranonce1(): string;
  /** Returns a connection's extranonce1 when it closes, so the value can be handed out again later. */
  releaseExtranonce1(extranonce1: string): void;
  readonly extranonce2Size: number;
  /**
   * The canonical spelling (canonicalAddress) of `address` when it is a payable address of this pool's coin network,
   * else null. Shares are credited to that spelling, whichever one the miner typed.
   */
  payoutAddress(address: string): string | null;
  /** The job a newly subscribed miner should receive, or null before the first template. */
  currentJob(): JobNotification | null;
  /** Checks a share; resolves once the share's fate is final (recorded, when recording exists). */
  submitShare(share: ShareSubmission): Promise<ShareOutcome>;
}

// Per-IP bans for the ports of one pool in one pool worker process. A ban decided here reaches the other forks through
// the master (a 'ban' message) and arrives there through banIp(), reason 'external', which is not passed on again.
import type { BanningConfig } from '../config/types.js';

interface ShareTally {
  valid: number;
  invalid: number;
  /** Last time a share was counted, so tallies of IPs that went away can be purged. */
  lastSeen: number;
}

export type BanReason = 'invalid-shares' | 'malformed' | 'external';

export class BanList {
  /** ip -> ban expiry (ms, clock time). */
  private readonly bans = new Map<string, number>();
  private readonly tallies = new Map<string, ShareTally>();
  private timer: NodeJS.Timeout | null = null;
  /** Listeners sharing this list that have started and not stopped it: the purge runs while any of them listens. */
  private users = 0;

  constructor(
    private readonly config: BanningConfig,
    private readonly clock: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  get size(): number {
    return this.bans.size;
  }

  /**
   * Starts the periodic purge for one more listener; the timer is unref'd so it never keeps a process alive. Each
   * start() is matched by one stop(): a list shared by a pool's ports purges until the last of them closes.
   */
  start(): void {
    this.users++;
    if (this.timer !== null || !this.config.enabled) return;
    this.timer = setInterval(() => this.purge(), Math.max(1, this.config.purgeInterval) * 1000);
    this.timer.unref();
  }

  stop(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether the periodic purge is running. */
  get purging(): boolean {
    return this.timer !== null;
  }

  /** Takes over `other`'s bans still running (a reloaded pool's new listeners): a reload must not pardon anyone. */
  adopt(other: BanList): void {
    const now = this.clock();
    for (const [ip, until] of other.bans) if (until > now) this.bans.set(ip, Math.max(until, this.bans.get(ip) ?? 0));
  }

  isBanned(ip: string): boolean {
    const until = this.bans.get(ip);
    if (until === undefined) return false;
    if (until > this.clock()) return true;
    this.bans.delete(ip);
    return false;
  }

  /** Bans `ip` for `seconds` (extends, never shortens, an existing ban). Works even when banning is disabled. */
  banIp(ip: string, seconds: number): void {
    const until = this.clock() + seconds * 1000;
    const existing = this.bans.get(ip);
    if (existing === undefined || existing < until) this.bans.set(ip, until);
    this.tallies.delete(ip);
  }

  unban(ip: string): void {
    this.bans.delete(ip);
  }

  /**
   * Counts one judged share for `ip`. Returns true when this share tipped the IP over the invalid ratio and
   * it is now banned. The tally restarts after each full check, so an honest miner's old luck never adds up.
   */
  recordShare(ip: string, valid: boolean): boolean {
    if (!this.config.enabled) return false;
    const now = this.clock();
    let tally = this.tallies.get(ip);
    if (tally === undefined) {
      tally = { valid: 0, invalid: 0, lastSeen: now };
      this.tallies.set(ip, tally);
    }
    if (valid) tally.valid += 1;
    else tally.invalid += 1;
    tally.lastSeen = now;
    const total = tally.valid + tally.invalid;
    if (total < this.config.checkThreshold) return false;
    const invalidPercent = (tally.invalid / total) * 100;
    this.tallies.delete(ip);
    if (invalidPercent < this.config.invalidPercent) return false;
    this.banIp(ip, this.config.time);
    return true;
  }

  /** Drops expired bans and tallies of IPs that have not submitted for a ban period. */
  purge(): void {
    const now = this.clock();
    for (const [ip, until] of this.bans) if (until <= now) this.bans.delete(ip);
    const staleBefore = now - Math.max(this.config.time, this.config.purgeInterval) * 1000;
    for (const [ip, tally] of this.tallies) if (tally.lastSeen < staleBefore) this.tallies.delete(ip);
  }
}

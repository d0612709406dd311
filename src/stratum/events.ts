// Events a StratumServer emits for the pool worker to log and count.
import type { ShareOutcome, ShareSubmission } from '../mining/types.js';
import type { BanReason } from './banning.js';
import type { DisconnectReason, MalformedKind } from './connection.js';

export interface ShareEvent {
  readonly submission: ShareSubmission;
  readonly outcome: ShareOutcome;
  /** Milliseconds the backend took to judge the share. */
  readonly latencyMs: number;
}

export interface ConnectEvent {
  readonly connectionId: number;
  readonly ip: string;
}

export interface DisconnectEvent {
  readonly connectionId: number;
  readonly ip: string;
  readonly reason: DisconnectReason;
}

export interface BanEvent {
  readonly ip: string;
  readonly seconds: number;
  readonly reason: BanReason;
}

export interface ProtocolErrorEvent {
  readonly connectionId: number;
  readonly ip: string;
  readonly kind: MalformedKind | 'backend-failure';
  readonly detail: string;
}

export interface StratumServerEvents {
  share: [ShareEvent];
  connect: [ConnectEvent];
  disconnect: [DisconnectEvent];
  ban: [BanEvent];
  protocolError: [ProtocolErrorEvent];
}

export interface StratumServerStats {
  readonly connections: number;
  /** Subscribed connections with at least one authorized worker. */
  readonly miners: number;
  readonly sharesAccepted: number;
  readonly sharesRejected: number;
  readonly malformedLines: number;
  /** Connections closed at once because their IP was banned. */
  readonly refusedBanned: number;
  readonly bannedIps: number;
}

/** One job written to a pool's own ports: to how many miners, and how long the synchronous fan-out took. */
export interface JobBroadcast {
  readonly cleanJobs: boolean;
  readonly miners: number;
  readonly seconds: number;
}

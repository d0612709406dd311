// When to move a switch to another coin: only when a coin beats the current one by the margin, and keeps doing so
// for the hold time, so miners are not bounced between coins on every price tick. Pure: state in, state out.
import { beatsByMargin } from './profitability.js';

export interface SwitchState {
  /** The coin the switch mines. */
  readonly coin: string;
  /** Ms since the epoch when it started mining it. */
  readonly since: number;
  /** A coin currently beating `coin` by the margin, and since when (ms); null when none does. */
  readonly leader: { readonly coin: string; readonly since: number } | null;
}

export interface SwitchDecision {
  readonly state: SwitchState;
  /** Set when miners must move now. */
  readonly switchTo: string | null;
  readonly reason: string;
}

export interface DecisionInput {
  readonly state: SwitchState;
  /** Score per coin of the switch; null when the coin cannot be priced or its network read this round. */
  readonly scores: ReadonlyMap<string, bigint | null>;
  readonly marginPercent: number;
  readonly holdTimeMs: number;
  readonly now: number;
}

export function decideSwitch(input: DecisionInput): SwitchDecision {
  const { state, scores, now } = input;
  const current = scores.get(state.coin) ?? null;
  if (current === null) {
    // Without the current coin's score a comparison would be a guess; stay and keep no leader.
    return { state: { ...state, leader: null }, switchTo: null, reason: `no score for the current coin ${state.coin}` };
  }
  let best: { coin: string; score: bigint } | null = null;
  for (const [coin, score] of scores) {
    if (coin === state.coin || score === null) continue;
    if (best === null || score > best.score) best = { coin, score };
  }
  if (best === null || !beatsByMargin(best.score, current, input.marginPercent)) {
    return { state: { ...state, leader: null }, switchTo: null, reason: `${state.coin} stays (no coin beats it by ${input.marginPercent} %)` };
  }
  const since = state.leader?.coin === best.coin ? state.leader.since : now;
  if (now - since >= input.holdTimeMs) {
    return { state: { coin: best.coin, since: now, leader: null }, switchTo: best.coin, reason: `${best.coin} beat ${state.coin} by the margin for ${now - since} ms` };
  }
  return {
    state: { ...state, leader: { coin: best.coin, since } },
    switchTo: null,
    reason: `${best.coin} leads ${state.coin}; switching after ${input.holdTimeMs - (now - since)} more ms`,
  };
}

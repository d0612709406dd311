// Telegram Bot API notifier: sendMessage when an alert fires, deleteMessage when it resolves (the chat then shows
// only what is still wrong). Rate limits (429 with parameters.retry_after) are waited out a bounded number of times;
// "message to delete not found" and "message can't be deleted" (older than 48 h) mean there is nothing left to do.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TelegramConfig } from '../config/types.js';
import type { FailureReason, OutboundMetrics } from '../metrics/outbound.js';
import type { Alert, Notice, Notifier } from './notifier.js';
import { OutboundError, postJson } from './post-json.js';

interface TelegramAnswer {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error_code?: number;
  readonly description?: string;
  readonly parameters?: { readonly retry_after?: number };
}

export interface TelegramOptions {
  readonly metrics?: OutboundMetrics;
  readonly signal?: AbortSignal;
  /** Attempts per call when Telegram answers 429 (default 3). */
  readonly maxAttempts?: number;
  /** Longest retry_after honoured, in seconds (default 60); a longer wait fails the call instead of stalling alerts. */
  readonly maxRetryAfterSec?: number;
}

const GONE = /message to delete not found|message can't be deleted/i;

function isAnswer(body: unknown): body is TelegramAnswer {
  return typeof body === 'object' && body !== null && typeof (body as { ok?: unknown }).ok === 'boolean';
}

function classify(status: number, body: unknown): FailureReason | null {
  if (isAnswer(body)) return body.ok ? null : 'api';
  return status >= 200 && status < 300 ? 'api' : 'http';
}

export class TelegramNotifier implements Notifier {
  readonly name = 'telegram';
  private readonly maxAttempts: number;
  private readonly maxRetryAfterSec: number;

  constructor(
    private readonly config: TelegramConfig,
    private readonly options: TelegramOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.maxRetryAfterSec = options.maxRetryAfterSec ?? 60;
  }

  async fire(alert: Alert): Promise<string | null> {
    const result = await this.call('sendMessage', { chat_id: this.config.chatId, text: `🔴 ${alert.text}` });
    const id = (result as { message_id?: unknown } | null)?.message_id;
    if (typeof id !== 'number') throw new OutboundError('telegram sendMessage: answer without message_id', 'api', true);
    return String(id);
  }

  async resolve(_alert: Alert, ref: string | null): Promise<void> {
    if (ref === null) return;
    try {
      await this.call('deleteMessage', { chat_id: this.config.chatId, message_id: Number(ref) });
    } catch (error) {
      if (error instanceof OutboundError && error.reason === 'api' && GONE.test(error.message)) return;
      throw error;
    }
  }

  async notice(notice: Notice): Promise<void> {
    await this.call('sendMessage', { chat_id: this.config.chatId, text: notice.text });
  }

  /** One Bot API method, retried only on 429. Returns `result` of an ok answer. */
  private async call(method: string, payload: Record<string, unknown>): Promise<unknown> {
    // The token is part of the path: it must never reach a log line or a metric label.
    const url = `${this.config.apiBaseUrl}/bot${this.config.botToken}/${method}`;
    for (let attempt = 1; ; attempt++) {
      const { status, body } = await postJson(url, payload, {
        target: 'telegram',
        method,
        timeoutMs: this.config.timeoutMs,
        metrics: this.options.metrics,
        retry: attempt > 1,
        signal: this.options.signal,
        classify,
      });
      if (isAnswer(body) && body.ok) return body.result ?? null;
      const description = isAnswer(body) ? (body.description ?? 'no description') : `HTTP ${status}`;
      const retryAfter = isAnswer(body) ? body.parameters?.retry_after : undefined;
      if (status === 429 && typeof retryAfter === 'number' && attempt < this.maxAttempts && retryAfter <= this.maxRetryAfterSec) {
        await sleep(Math.max(0, retryAfter) * 1000, undefined, { signal: this.options.signal });
        continue;
      }
      // Telegram answered: the message was not accepted, so trying again later cannot duplicate it.
      throw new OutboundError(`telegram ${method}: ${description}`, isAnswer(body) ? 'api' : 'http', false, status);
    }
  }
}

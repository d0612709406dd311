// Generic JSON webhook: one POST per alert change ({status: "firing" | "resolved", alert}) and per notice
// ({status: "notice", notice}). Any 2xx answer counts as delivered; the receiver deduplicates by alert id if it must.
import type { WebhookConfig } from '../config/types.js';
import type { OutboundMetrics } from '../metrics/outbound.js';
import type { Alert, Notice, Notifier } from './notifier.js';
import { OutboundError, postJson } from './post-json.js';

export interface WebhookOptions {
  readonly metrics?: OutboundMetrics;
  readonly signal?: AbortSignal;
}

export class WebhookNotifier implements Notifier {
  constructor(
    /** "webhook:<index in config>", so stored deliveries survive edits to other webhooks' URLs. */
    readonly name: string,
    private readonly config: WebhookConfig,
    private readonly options: WebhookOptions = {},
  ) {}

  async fire(alert: Alert): Promise<string | null> {
    await this.post('firing', { status: 'firing', alert });
    return null;
  }

  async resolve(alert: Alert): Promise<void> {
    await this.post('resolved', { status: 'resolved', alert, resolvedAt: Date.now() });
  }

  async notice(notice: Notice): Promise<void> {
    await this.post('notice', { status: 'notice', notice });
  }

  private async post(method: string, payload: unknown): Promise<void> {
    const { status } = await postJson(this.config.url, payload, {
      target: 'webhook',
      method,
      timeoutMs: this.config.timeoutMs,
      metrics: this.options.metrics,
      signal: this.options.signal,
    });
    if (status < 200 || status >= 300) throw new OutboundError(`webhook ${method}: HTTP ${status}`, 'http', false, status);
  }
}

// A local HTTP server standing in for the Telegram Bot API (127.0.0.1, free port): records every call and answers
// like Telegram does, unless a test overrides the answer (a 429, a stall, an error).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  readonly token: string;
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
  /** The message_id this stand-in gave a successful sendMessage. */
  messageId?: number;
}

export type Answer = { readonly status: number; readonly body: unknown } | 'stall';

/** Returns an answer to override the default one, or undefined for Telegram's normal behaviour. */
export type Override = (call: RecordedCall, index: number) => Answer | undefined;

export class TelegramStandIn {
  readonly calls: RecordedCall[] = [];
  override: Override | null = null;
  /** Every answer waits this long, so concurrent calls overlap and maxInFlight shows how many came at once. */
  delayMs = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private nextId = 100;
  private readonly live = new Set<number>();
  private readonly stalled = new Set<ServerResponse>();
  private server: Server | null = null;

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  sent(): RecordedCall[] {
    return this.calls.filter((c) => c.method === 'sendMessage');
  }

  deleted(): RecordedCall[] {
    return this.calls.filter((c) => c.method === 'deleteMessage');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const call: RecordedCall = { token: match[1], method: match[2], body: JSON.parse(raw) as Record<string, unknown>, at: Date.now() };
    this.calls.push(call);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    const answer = this.override?.(call, this.calls.length - 1) ?? this.normal(call);
    if (answer === 'stall') {
      // Never answered: not counted as in flight, or one stall would count against every later test.
      this.inFlight--;
      this.stalled.add(res);
      return;
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.inFlight--;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  }

  private normal(call: RecordedCall): Answer {
    if (call.method === 'sendMessage') {
      const id = this.nextId++;
      this.live.add(id);
      call.messageId = id;
      return { status: 200, body: { ok: true, result: { message_id: id, chat: { id: call.body.chat_id }, text: call.body.text } } };
    }
    if (call.method === 'deleteMessage') {
      const id = Number(call.body.message_id);
      if (this.live.delete(id)) return { status: 200, body: { ok: true, result: true } };
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message to delete not found' } };
    }
    return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
  }
}

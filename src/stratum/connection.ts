// One miner's TCP connection: framing, parsing, strictly ordered dispatch, bounded writes.
// Knows nothing about stratum methods; it hands well-formed requests to its host.
import type { Socket } from 'node:net';
import { ERR_BAD_ID, ERR_BAD_METHOD, ERR_INVALID_JSON, ERR_NOT_OBJECT, type StratumErrorTuple } from './errors.js';
import { LineFramer, type LineSink } from './framing.js';
import { errorLine, resultLine, type RequestId } from './messages.js';
import type { Session } from './session.js';

export type DisconnectReason =
  | 'client-closed'
  | 'socket-error'
  | 'line-too-long'
  | 'slow-reader'
  | 'idle-timeout'
  | 'malformed-limit'
  | 'banned'
  | 'server-closing';

export type MalformedKind = 'invalid-json' | 'not-object' | 'bad-id' | 'bad-method' | 'bad-params';

/** What a connection needs from its server. */
export interface ConnectionHost {
  /**
   * Handles one well-formed request and writes its answer (unless `id` is null: a notification).
   * Returns a promise only when the answer is not written synchronously; it must never reject.
   */
  handleRequest(conn: Connection, id: RequestId, method: string, params: unknown): Promise<void> | undefined;
  /** Counts a malformed line; may close the connection. */
  onMalformed(conn: Connection, kind: MalformedKind, detail: string): void;
  onClose(conn: Connection, reason: DisconnectReason): void;
}

/** Marks a line that did not parse, so its error answer keeps its place in the queue. */
const INVALID_JSON: unique symbol = Symbol('invalid-json');

/** Requests parsed but not yet handled before the socket stops being read (pipelining backpressure). */
const MAX_QUEUED = 4096;

export class Connection implements LineSink {
  readonly session: Session;
  /** Last time this miner submitted a share the backend judged (connect time before that). */
  lastShareAt: number;
  malformed = 0;
  closed = false;
  private readonly framer: LineFramer;
  private queue: unknown[] = [];
  private head = 0;
  private busy = false;
  private paused = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly ip: string,
    session: Session,
    now: number,
    maxLineBytes: number,
    private readonly maxWriteBufferBytes: number,
    private readonly host: ConnectionHost,
  ) {
    this.session = session;
    this.lastShareAt = now;
    this.framer = new LineFramer(maxLineBytes);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
  }

  /** Writes a complete line (ending in "\n"); destroys the connection of a miner that stopped reading. */
  write(line: string | Buffer): void {
    if (this.closed) return;
    this.socket.write(line);
    if (this.socket.writableLength > this.maxWriteBufferBytes) this.close('slow-reader');
  }

  reply(id: RequestId, result: unknown): void {
    if (id !== null) this.write(resultLine(id, result));
  }

  replyError(id: RequestId, error: StratumErrorTuple): void {
    if (id !== null) this.write(errorLine(id, error));
  }

  close(reason: DisconnectReason): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.socket.destroy();
    this.host.onClose(this, reason);
  }

  onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // A lone "\r" or blank line from a sloppy client is not worth an answer or a strike.
      if (line.trim().length === 0) return;
      parsed = INVALID_JSON;
    }
    this.queue.push(parsed);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    if (!this.framer.push(chunk, this)) {
      this.close('line-too-long');
      return;
    }
    if (this.queue.length - this.head > MAX_QUEUED && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.busy) this.pumpCorked();
  };

  private readonly onError = (): void => {
    // 'close' follows every socket error; the reason recorded there is enough.
    if (!this.closed) this.close('socket-error');
  };

  private readonly onSocketClose = (): void => {
    this.close('client-closed');
  };

  private readonly resume = (): void => {
    this.busy = false;
    this.pumpCorked();
  };

  /** Batches the answers of one packet's requests into as few TCP segments as possible. */
  private pumpCorked(): void {
    this.socket.cork();
    try {
      this.pump();
    } finally {
      this.socket.uncork();
    }
  }

  /** Handles queued requests one at a time, in arrival order; an async answer holds back everything after it. */
  private pump(): void {
    while (this.head < this.queue.length && !this.closed) {
      const item = this.queue[this.head];
      this.queue[this.head] = undefined;
      this.head += 1;
      const pending = this.dispatch(item);
      if (pending !== undefined) {
        this.busy = true;
        pending.then(this.resume, this.resume);
        this.compact();
        return;
      }
    }
    this.queue.length = 0;
    this.head = 0;
    if (this.paused && !this.closed) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Drops handled slots while a long pipeline waits on an async answer. */
  private compact(): void {
    if (this.head >= 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private dispatch(item: unknown): Promise<void> | undefined {
    if (item === INVALID_JSON) return this.malformedLine(null, ERR_INVALID_JSON, 'invalid-json', 'unparsable line');
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return this.malformedLine(null, ERR_NOT_OBJECT, 'not-object', `JSON ${item === null ? 'null' : typeof item}`);
    }
    const msg = item as Record<string, unknown>;
    const rawId = msg.id;
    let id: RequestId;
    if (rawId === undefined || rawId === null) id = null;
    else if (typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId))) id = rawId;
    else return this.malformedLine(null, ERR_BAD_ID, 'bad-id', `id of type ${typeof rawId}`);
    const method = msg.method;
    // A line without a method answers nothing we asked (the server sends no requests), so it is malformed too;
    // it gets an answer even without an id, so every line the miner sends is accounted for.
    if (typeof method !== 'string') return this.malformedLine(id, ERR_BAD_METHOD, 'bad-method', 'missing method');
    return this.host.handleRequest(this, id, method, msg.params);
  }

  private malformedLine(id: RequestId, error: StratumErrorTuple, kind: MalformedKind, detail: string): undefined {
    this.write(errorLine(id, error));
    this.host.onMalformed(this, kind, detail);
    return undefined;
  }
}

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
   * Returns a promise only when the answer is not written synchronously (it must never reject); such a handler
   * takes its place in the answer order with `holdAnswer()` before it returns. Later requests are dispatched while
   * it is pending, so it must be one they do not depend on (shares); answers still go out in request order.
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

/**
 * Asynchronous requests (shares waiting for their hash and for Redis) one connection may have in flight. While
 * one share waits for Redis the next ones are already being checked, so a miner's shares do not queue behind
 * each other's round trips and the pool does not sit idle while Redis works.
 */
const MAX_IN_FLIGHT = 16;

/** The lines written while handling one request, held until every earlier request's answer is out. */
interface AnswerSlot {
  readonly lines: (string | Buffer)[];
  /** An asynchronous handler still owes its answer. */
  held: boolean;
}

/** A request's answer, written later in its place in the answer order. */
export interface HeldAnswer {
  reply(id: RequestId, result: unknown): void;
  replyError(id: RequestId, error: StratumErrorTuple): void;
}

export class Connection implements LineSink {
  readonly session: Session;
  /** Last time this miner submitted a share the backend judged (connect time before that). */
  lastShareAt: number;
  malformed = 0;
  closed = false;
  private readonly framer: LineFramer;
  private queue: unknown[] = [];
  private head = 0;
  private paused = false;
  private inFlight = 0;
  /** Answers not yet written because an earlier one is still owed, oldest first; empty in the common case. */
  private answers: AnswerSlot[] = [];
  /** The slot of the request being dispatched right now, when its lines must wait for earlier answers. */
  private dispatching: AnswerSlot | null = null;
  private corked = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly ip: string,
    session: Session,
    now: number,
    maxLineBytes: number,
    private readonly maxWriteBufferBytes: number,
    private host: ConnectionHost,
  ) {
    this.session = session;
    this.lastShareAt = now;
    this.framer = new LineFramer(maxLineBytes);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
  }

  /**
   * Writes a complete line (ending in "\n"); destroys the connection of a miner that stopped reading. Lines written
   * while handling a request wait behind the answers still owed for earlier requests; lines written outside any
   * request (new jobs, difficulty changes) go out at once.
   */
  write(line: string | Buffer): void {
    if (this.closed) return;
    if (this.dispatching !== null) {
      this.dispatching.lines.push(line);
      return;
    }
    this.send(line);
  }

  reply(id: RequestId, result: unknown): void {
    if (id !== null) this.write(resultLine(id, result));
  }

  replyError(id: RequestId, error: StratumErrorTuple): void {
    if (id !== null) this.write(errorLine(id, error));
  }

  /** Moves the connection to another server (a reloaded pool's listener on the same port); it stays open. */
  rehost(host: ConnectionHost): void {
    this.host = host;
  }

  /** For a handler that answers later: keeps this request's place in the answer order. Call while dispatched. */
  holdAnswer(): HeldAnswer {
    let slot = this.dispatching;
    if (slot === null) {
      slot = { lines: [], held: false };
      this.answers.push(slot);
      this.dispatching = slot;
    }
    slot.held = true;
    const owed = slot;
    const release = (line: string | null): void => {
      if (line !== null) owed.lines.push(line);
      owed.held = false;
      this.flushAnswers();
    };
    return {
      reply: (id, result) => release(id === null ? null : resultLine(id, result)),
      replyError: (id, error) => release(id === null ? null : errorLine(id, error)),
    };
  }

  private send(line: string | Buffer): void {
    this.socket.write(line);
    if (this.socket.writableLength > this.maxWriteBufferBytes) this.close('slow-reader');
  }

  /** Writes every answer that no longer waits for an earlier one. */
  private flushAnswers(): void {
    if (this.closed) return;
    const answers = this.answers;
    if (answers.length === 0 || answers[0].held) return;
    // Answers released together (one Redis acknowledgement settles many shares) leave in one TCP segment.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    while (answers.length > 0 && !answers[0].held && !this.closed) {
      const slot = answers.shift()!;
      for (const line of slot.lines) this.send(line);
    }
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  close(reason: DisconnectReason): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.answers = [];
    this.dispatching = null;
    // Lines already written (the answer that earned a ban, say) leave before the socket closes.
    while (this.socket.writableCorked > 0) this.socket.uncork();
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
    this.pumpCorked();
  };

  private readonly onError = (): void => {
    // 'close' follows every socket error; the reason recorded there is enough.
    if (!this.closed) this.close('socket-error');
  };

  private readonly onSocketClose = (): void => {
    this.close('client-closed');
  };

  private readonly settled = (): void => {
    this.inFlight -= 1;
    // Requests left waiting because MAX_IN_FLIGHT was reached go now.
    if (this.head < this.queue.length && !this.closed) this.pumpCorked();
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

  /**
   * Dispatches queued requests in arrival order. Asynchronous ones (shares) stay in flight while later requests
   * are dispatched, up to MAX_IN_FLIGHT; answers are written in request order all the same.
   */
  private pump(): void {
    while (this.head < this.queue.length && !this.closed) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        this.compact();
        return;
      }
      const item = this.queue[this.head];
      this.queue[this.head] = undefined;
      this.head += 1;
      // Lines of this request wait behind answers still owed; without any owed, they go out as written.
      const slot: AnswerSlot | null = this.answers.length > 0 ? { lines: [], held: false } : null;
      if (slot !== null) this.answers.push(slot);
      this.dispatching = slot;
      let pending: Promise<void> | undefined;
      try {
        pending = this.dispatch(item);
      } finally {
        this.dispatching = null;
      }
      if (slot !== null) this.flushAnswers();
      if (pending !== undefined) {
        this.inFlight += 1;
        pending.then(this.settled, this.settled);
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

// Newline-delimited framing over raw Buffers. Works on bytes (not decoded strings) so the length limit is
// exact and a partial UTF-8 sequence split across packets decodes correctly once the line is complete.

const NEWLINE = 0x0a;

export interface LineSink {
  onLine(line: string): void;
}

export class LineFramer {
  /** Bytes of an unfinished line carried over from earlier packets; null when none (the common case). */
  private pending: Buffer | null = null;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.pending === null ? 0 : this.pending.length;
  }

  /**
   * Feeds one packet, calling sink.onLine for each complete line. Returns false, with the rest of the packet
   * dropped, as soon as a line (finished or not) exceeds maxLineBytes: the caller closes the connection.
   */
  push(chunk: Buffer, sink: LineSink): boolean {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) break;
      if (this.pending === null) {
        if (end - start > this.maxLineBytes) return false;
        if (end > start) sink.onLine(chunk.toString('utf8', start, end));
      } else {
        const joined = this.pending.length + (end - start);
        if (joined > this.maxLineBytes) return false;
        const line = Buffer.concat([this.pending, chunk.subarray(start, end)], joined);
        this.pending = null;
        sink.onLine(line.toString('utf8'));
      }
      start = end + 1;
    }
    if (start < chunk.length) {
      const held = this.pendingBytes + (chunk.length - start);
      if (held > this.maxLineBytes) return false;
      // Copy rather than keep a view: a view would pin the whole (possibly 64 KiB) packet buffer in memory.
      const rest = Buffer.from(chunk.subarray(start));
      this.pending = this.pending === null ? rest : Buffer.concat([this.pending, rest], held);
    }
    return true;
  }
}

/**
 * Hands out 4-byte extranonce1 values that no other connection of this Headframe deployment holds:
 * byte 0 is the instance id (unique per host sharing one Redis), byte 1 the fork id, bytes 2-3 a counter.
 * Random instance ids collided in NOMP (node-stratum-pool #46); counters cannot.
 * The counter wraps after 65,536 connections of one fork; values still held by a live connection are
 * skipped, so two live connections never share work.
 */
export class ExtranonceAllocator {
  private counter = 0;
  private readonly live = new Set<number>();
  private readonly prefix: number;

  constructor(instanceId: number, forkId: number) {
    if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId > 255) {
      throw new RangeError(`instanceId must be 0-255, got ${instanceId}`);
    }
    if (!Number.isInteger(forkId) || forkId < 0 || forkId > 255) {
      throw new RangeError(`forkId must be 0-255, got ${forkId}`);
    }
    this.prefix = ((instanceId << 24) | (forkId << 16)) >>> 0;
  }

  allocate(): string {
    if (this.live.size >= 0x10000) throw new Error('extranonce1 space of this fork is exhausted (65,536 live connections)');
    let low: number;
    do {
      low = this.counter;
      this.counter = (this.counter + 1) & 0xffff;
    } while (this.live.has(low));
    this.live.add(low);
    return ((this.prefix | low) >>> 0).toString(16).padStart(8, '0');
  }

  release(extranonce1: string): void {
    const value = parseInt(extranonce1, 16);
    if ((value & 0xffff0000) >>> 0 === this.prefix) this.live.delete(value & 0xffff);
  }
}

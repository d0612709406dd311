// Multi-field reads of any size, cut into chunks sent as one pipeline: Redis serves other clients (share recording,
// whose commands time out after 2 s) between the chunks of a long read instead of after one huge command.
import type { ChainableCommander, Redis } from 'ioredis';

/** Fields or keys per command. */
export const READ_CHUNK = 1000;

/** Runs `add(pipe, chunk)` for each chunk of `items` and concatenates the array replies, in order. */
export async function readChunked<T>(redis: Redis, items: readonly string[], add: (pipe: ChainableCommander, chunk: string[]) => void): Promise<T[]> {
  if (items.length === 0) return [];
  const pipe = redis.pipeline();
  for (let i = 0; i < items.length; i += READ_CHUNK) add(pipe, items.slice(i, i + READ_CHUNK));
  const out: T[] = [];
  for (const [error, values] of (await pipe.exec()) ?? []) {
    if (error) throw error;
    for (const v of values as T[]) out.push(v);
  }
  return out;
}

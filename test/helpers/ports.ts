// Free TCP ports for daemons started by tests. Ports come from [10000, 32767]: below the Linux ephemeral
// range (32768-60999), where an outgoing connection could be holding "our" port, and away from the
// well-known defaults other programs on this machine use (6379, 19443, 19444).
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

export const PORT_MIN = 10_000;
export const PORT_MAX = 32_767;

/** Ports other services on shared machines commonly hold; never handed out even if free right now. */
const RESERVED = new Set([11211, 15672, 19332, 19335, 19443, 19444, 27017, 18332, 18333, 18443, 18444]);

/** Resolves true if 127.0.0.1:port could be bound (and immediately released) right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    // exclusive: a port shared through cluster would look free to us but not to redis/litecoind.
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * A port that is free on 127.0.0.1 at the moment of the call. Picked at random so test files running in
 * parallel rarely race for the same one; the race cannot be ruled out, so starts go through
 * `retryOnAddressInUse`.
 */
export async function findFreePort(exclude: Iterable<number> = []): Promise<number> {
  const skip = new Set(exclude);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = randomInt(PORT_MIN, PORT_MAX + 1);
    if (skip.has(port) || RESERVED.has(port)) continue;
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free TCP port found on 127.0.0.1 in [${PORT_MIN}, ${PORT_MAX}] after 200 attempts`);
}

/** `count` distinct free ports (for a daemon that needs several, e.g. litecoind's rpc/p2p/onion). */
export async function findFreePorts(count: number, exclude: Iterable<number> = []): Promise<number[]> {
  const taken = new Set(exclude);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await findFreePort(taken);
    taken.add(port);
    ports.push(port);
  }
  return ports;
}

/** A daemon failed to start because one of its ports was taken between our check and its bind. */
export class AddressInUseError extends Error {
  readonly code = 'EADDRINUSE';
}

export function isAddressInUse(err: unknown): boolean {
  return err instanceof AddressInUseError || (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/**
 * Runs `start` (which should pick fresh ports on each call) again when it fails with EADDRINUSE.
 * Any other error is rethrown at once: retrying a genuinely broken start would only hide it.
 */
export async function retryOnAddressInUse<T>(start: (attempt: number) => Promise<T>, attempts = 5): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await start(attempt);
    } catch (err) {
      if (!isAddressInUse(err)) throw err;
      lastError = err;
    }
  }
  throw new Error(`still EADDRINUSE after ${attempts} attempts: ${(lastError as Error).message}`, {
    cause: lastError,
  });
}

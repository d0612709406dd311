// A Redis for the tests of one file or describe block: started before them and stopped after them, with every
// client the tests opened closed first.
import { after, before } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { startRedis, type RedisHandle } from './redis-server.js';

export interface SuiteRedis {
  /** The running server (inside tests and hooks). */
  readonly server: RedisHandle;
  /** A connected ioredis client, closed after the suite. */
  client(options?: RedisOptions): Promise<Redis>;
  /** Closes `client` after the suite too (clients made elsewhere, e.g. by the product's own factory). */
  track<T extends { disconnect(): void }>(client: T): T;
}

/** Call at the top of a file or inside describe(): it registers that scope's before/after hooks. */
export function useRedis(): SuiteRedis {
  let server: RedisHandle | undefined;
  const clients: { disconnect(): void }[] = [];
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await server?.stop();
  });
  const suite: SuiteRedis = {
    get server(): RedisHandle {
      if (!server) throw new Error('the suite Redis is not started: use it inside tests or hooks');
      return server;
    },
    async client(options: RedisOptions = {}): Promise<Redis> {
      const { host, port } = suite.server;
      const c = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 5000, ...options });
      clients.push(c);
      await c.connect();
      return c;
    },
    track<T extends { disconnect(): void }>(client: T): T {
      clients.push(client);
      return client;
    },
  };
  return suite;
}

// /api/live_stats against a real HTTP server over loopback: a client that stops reading is dropped once its
// unsent backlog passes the bound, streams are capped overall and per client address, and a stream that ends
// (client gone or dropped) gives its place back.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createLogger } from '../../../src/log/logger.js';
import { createWebsiteApp } from '../../../src/website/app.js';
import { LiveHub, type LiveStreamLimits } from '../../../src/website/live.js';
import { changingSnapshotStore } from './live-store.js';
import { waitFor } from '../../helpers/processes.js';

const logger = createLogger({ level: 'error', context: { role: 'test-live-stats' } });
/** Each poll publishes one stats message about this big. */
const MESSAGE_BYTES = 512 * 1024;

interface Site {
  readonly hub: LiveHub;
  readonly port: number;
  readonly server: Server;
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

/** A site whose only pool publishes a new, large snapshot on every hub.poll(). */
async function startSite(liveLimits: Partial<LiveStreamLimits> = {}): Promise<Site> {
  const store = changingSnapshotStore(MESSAGE_BYTES);
  const hub = new LiveHub(['p'], store, logger, 3_600_000);
  // Built as a variable: the limits are an option of the app, and the test says nothing of the field's exact type.
  const options = { pools: [], store, hub, logger, liveLimits };
  const server = createServer(createWebsiteApp(options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { hub, port: (server.address() as AddressInfo).port, server };
}

interface Stream {
  readonly socket: Socket;
  /** The HTTP status of the answer. */
  readonly status: Promise<number>;
  body(): string;
}

/** A raw HTTP client from `from` (any 127.x address is this host), so the test controls when it reads. */
function openStream(port: number, from = '127.0.0.1'): Stream {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  let text = '';
  const status = new Promise<number>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed before a status line: ${JSON.stringify(text.slice(0, 200))}`)));
  });
  socket.write(`GET /api/live_stats HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  return { socket, status, body: () => text };
}

test('a client that stops reading is dropped once its unsent backlog passes the bound, and frees its place', async () => {
  const site = await startSite({ maxStreamsPerAddress: 1, uncappedAddresses: [] });
  const slow = openStream(site.port);
  assert.equal(await slow.status, 200);
  await waitFor(() => site.hub.subscribers === 1, { timeoutMs: 2000, what: 'the stream to subscribe' });
  slow.socket.pause();
  // The kernel's socket buffers take the first megabytes; after them every message stays in the process.
  let polls = 0;
  while (site.hub.subscribers > 0 && polls < 120) {
    await site.hub.poll();
    await tick();
    polls += 1;
  }
  assert.equal(site.hub.subscribers, 0, `still subscribed after ${polls} messages of ${MESSAGE_BYTES} bytes`);
  slow.socket.destroy();

  const next = openStream(site.port);
  assert.equal(await next.status, 200, 'the dropped stream no longer counts against its address');
  next.socket.destroy();
});

test('streams are capped per client address (429) and overall (503); a closed stream gives its place back', async () => {
  const site = await startSite({ maxStreams: 3, maxStreamsPerAddress: 2, uncappedAddresses: [] });
  const a1 = openStream(site.port, '127.0.0.1');
  const a2 = openStream(site.port, '127.0.0.1');
  assert.deepEqual(await Promise.all([a1.status, a2.status]), [200, 200]);

  const a3 = openStream(site.port, '127.0.0.1');
  assert.equal(await a3.status, 429);
  await waitFor(() => a3.body().includes('}'), { timeoutMs: 2000, what: 'the 429 body' });
  assert.match(a3.body(), /"error":"too_many_requests"/);
  assert.match(a3.body(), /Retry-After: 60/i);

  const b1 = openStream(site.port, '127.0.0.2');
  assert.equal(await b1.status, 200, 'another address has its own allowance');
  const c1 = openStream(site.port, '127.0.0.3');
  assert.equal(await c1.status, 503, 'the overall cap holds whatever the address');
  await waitFor(() => c1.body().includes('}'), { timeoutMs: 2000, what: 'the 503 body' });
  assert.match(c1.body(), /"error":"unavailable"/);
  await waitFor(() => site.hub.subscribers === 3, { timeoutMs: 2000, what: 'three subscribers' });

  a1.socket.destroy();
  await waitFor(() => site.hub.subscribers === 2, { timeoutMs: 2000, what: 'the closed stream to unsubscribe' });
  const a4 = openStream(site.port, '127.0.0.1');
  assert.equal(await a4.status, 200, 'the closed stream gave its place back');
  await site.hub.poll();
  await waitFor(() => a4.body().includes('event: stats'), { timeoutMs: 2000, what: 'a live message on the new stream' });
  for (const s of [a2, a3, b1, c1, a4]) s.socket.destroy();
});

test('a reverse proxy on this host (loopback) is not held to the per-address cap, only to the overall one', async () => {
  const site = await startSite({ maxStreams: 10, maxStreamsPerAddress: 2 });
  const viaProxy = Array.from({ length: 5 }, () => openStream(site.port, '127.0.0.1'));
  assert.deepEqual(await Promise.all(viaProxy.map((s) => s.status)), [200, 200, 200, 200, 200]);
  const direct = [openStream(site.port, '127.0.0.2'), openStream(site.port, '127.0.0.2'), openStream(site.port, '127.0.0.2')];
  assert.deepEqual(await Promise.all(direct.map((s) => s.status)), [200, 200, 429]);
  for (const s of [...viaProxy, ...direct]) s.socket.destroy();
});

// /ws against the real website server over loopback: connections are capped overall and per client address (with
// the /api/live_stats bounds) and a closed one gives its place back; a published message is serialized once,
// whatever the number of open sockets; a client that stops reading is still dropped.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, mock, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { createLogger } from '../../../src/log/logger.js';
import { WebsiteServer } from '../../../src/website/server.js';
import type { LiveStreamLimits } from '../../../src/website/live.js';
import { changingSnapshotStore } from './live-store.js';
import { waitFor } from '../../helpers/processes.js';

const logger = createLogger({ level: 'error', context: { role: 'test-live-ws' } });

const servers: WebsiteServer[] = [];
const clients: WebSocket[] = [];
after(async () => {
  for (const c of clients) c.terminate();
  for (const s of servers) await s.close();
});

/** A server whose only pool publishes a new snapshot (with a name of `nameBytes`) on every hub.poll(). */
async function startServer(liveLimits: Partial<LiveStreamLimits> = {}, nameBytes = 16): Promise<{ server: WebsiteServer; port: number }> {
  const store = changingSnapshotStore(nameBytes);
  // Built as a variable: the limits are an option of the app, and the test says nothing of the field's exact type.
  const options = { pools: [{ id: 'p' }], store, logger, host: '127.0.0.1', port: 0, livePollMs: 3_600_000, liveLimits };
  const server = new WebsiteServer(options as unknown as ConstructorParameters<typeof WebsiteServer>[0]);
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

interface Opened {
  readonly ws: WebSocket;
  /** 101 once open, else the HTTP status of the refusal. */
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
  readonly messages: string[];
}

/** A websocket client from `from` (any 127.x address is this host). */
function openWs(port: number, from = '127.0.0.1'): Promise<Opened> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { localAddress: from });
  clients.push(ws);
  const messages: string[] = [];
  ws.on('message', (data) => messages.push(String(data)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, status: 101, body: '', retryAfter: undefined, messages }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ ws, status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] as string | undefined, messages });
        ws.terminate();
      });
    });
    ws.once('error', reject);
  });
}

test('websockets are capped per client address (429) and overall (503); a closed one gives its place back', async () => {
  const { server, port } = await startServer({ maxStreams: 3, maxStreamsPerAddress: 2, uncappedAddresses: [] });
  const a1 = await openWs(port, '127.0.0.1');
  const a2 = await openWs(port, '127.0.0.1');
  assert.deepEqual([a1.status, a2.status], [101, 101]);

  const a3 = await openWs(port, '127.0.0.1');
  assert.equal(a3.status, 429);
  assert.equal(a3.retryAfter, '60');
  assert.match(a3.body, /"error":"too_many_requests"/);

  const b1 = await openWs(port, '127.0.0.2');
  assert.equal(b1.status, 101, 'another address has its own allowance');
  const c1 = await openWs(port, '127.0.0.3');
  assert.equal(c1.status, 503, 'the overall cap holds whatever the address');
  assert.match(c1.body, /"error":"unavailable"/);
  await waitFor(() => server.liveConnections === 3, { timeoutMs: 2000, what: 'three open websockets' });

  a1.ws.close();
  await waitFor(() => server.liveConnections === 2, { timeoutMs: 2000, what: 'the closed websocket to give its place back' });
  const a4 = await openWs(port, '127.0.0.1');
  assert.equal(a4.status, 101, 'the closed websocket gave its place back');
  await server.hub.poll();
  await waitFor(() => a4.messages.length > 0, { timeoutMs: 2000, what: 'a live message on the new websocket' });
  assert.equal(JSON.parse(a4.messages[0]).type, 'stats');
  for (const o of [a2, b1, a4]) o.ws.close();
});

test('the default caps are the /api/live_stats ones: 8 per client address', async () => {
  const { port } = await startServer();
  const opened: Opened[] = [];
  for (let i = 0; i < 8; i++) opened.push(await openWs(port, '127.0.0.4'));
  assert.deepEqual(opened.map((o) => o.status), Array(8).fill(101));
  assert.equal((await openWs(port, '127.0.0.4')).status, 429);
  for (const o of opened) o.ws.close();
});

test('a published message is serialized once for all open websockets', async () => {
  const { server, port } = await startServer();
  const opened = await Promise.all(['127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'].map((from) => openWs(port, from)));
  const stringify = mock.method(JSON, 'stringify');
  try {
    await server.hub.poll();
    await waitFor(() => opened.every((o) => o.messages.length === 1), { timeoutMs: 2000, what: 'the message on every websocket' });
  } finally {
    stringify.mock.restore();
  }
  const ofMessage = stringify.mock.calls.filter((c) => (c.arguments[0] as { type?: unknown } | null)?.type === 'stats');
  assert.equal(ofMessage.length, 1, `JSON.stringify ran ${ofMessage.length} times for one message to ${opened.length} websockets`);
  const texts = new Set(opened.map((o) => o.messages[0]));
  assert.equal(texts.size, 1);
  assert.equal(JSON.parse([...texts][0]).pool.id, 'p');
  for (const o of opened) o.ws.close();
});

test('a websocket that stops reading is dropped once its unsent backlog passes the bound, and frees its place', async () => {
  const { server, port } = await startServer({ maxStreamsPerAddress: 1 }, 512 * 1024);
  // A raw client, so the test controls when (never) it reads.
  const raw = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.10' });
  raw.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve) => raw.once('data', () => resolve()));
  raw.pause();
  let polls = 0;
  while (server.liveConnections > 0 && polls < 120) {
    await server.hub.poll();
    await tick();
    polls += 1;
  }
  assert.equal(server.liveConnections, 0, `still connected after ${polls} messages`);
  raw.destroy();
  const next = await openWs(port, '127.0.0.10');
  assert.equal(next.status, 101, 'the dropped websocket no longer counts against its address');
  next.ws.close();
});

test('upgrades on other paths are refused', async () => {
  const { port } = await startServer();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
  clients.push(ws);
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('opened')));
    ws.once('error', reject);
  });
  assert.equal(status, 400);
});

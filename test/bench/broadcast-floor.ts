// The broadcast floor of this machine: a bare Node TCP server (no pool, no stratum, no Redis) writes one
// mining.notify-sized line to the same kind of listening miners the broadcast scenario uses. Whatever the pool's
// broadcast costs beyond this is ours; this much is the kernel's loopback path and waking the reading process.
//
// Run as a child of the bench (`node broadcast-floor.js server`) so writer and readers are separate processes,
// as pool and load generator are.
import { fork } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { connectListeners, median } from './loadgen.js';

type FloorMessage = { type: 'listening'; port: number } | { type: 'written'; startedAt: number; loopMs: number };

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
const epochNow = (): number => performance.timeOrigin + performance.now();

function notifyLineOfSize(prevhash: string): Buffer {
  const branch = Array.from({ length: 8 }, (_, i) => String(i).repeat(64));
  const params = ['1a', prevhash, 'ab'.repeat(60), 'cd'.repeat(50), branch, '20000000', '1e0ffff0', '6560a1b2', true];
  return Buffer.from(`{"id":null,"method":"mining.notify","params":${JSON.stringify(params)}}\n`, 'utf8');
}

function serve(): void {
  const sockets: Socket[] = [];
  // The pool's handshake, answered once the listener's subscribe and authorize arrive: the same exchange before the
  // measured line as the pool's miners had (a connection that has sent and received data acknowledges differently
  // from a fresh one, and loopback bills those acknowledgements to the writer).
  const handshake = Buffer.concat([
    Buffer.from('{"id":1,"result":[[["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f"]],"0000000a",4],"error":null}\n'),
    Buffer.from('{"id":2,"result":true,"error":null}\n{"id":null,"method":"mining.set_difficulty","params":[0.00001]}\n'),
    notifyLineOfSize('0'.repeat(64)),
  ]);
  const server = createServer({ noDelay: true }, (socket) => {
    let answered = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      if (answered || !chunk.includes('mining.authorize')) return;
      answered = true;
      socket.write(handshake);
    });
    socket.on('close', () => sockets.splice(sockets.indexOf(socket), 1));
    sockets.push(socket);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    process.send!({ type: 'listening', port: address.port } satisfies FloorMessage);
  });
  process.on('message', (message: { prevhash?: string; exit?: boolean }) => {
    if (message.exit) process.exit(0);
    const line = notifyLineOfSize(message.prevhash!);
    const startedAt = epochNow();
    for (const socket of sockets) socket.write(line);
    process.send!({ type: 'written', startedAt, loopMs: epochNow() - startedAt } satisfies FloorMessage);
  });
}

/** Same listeners, same line size, `repeats` broadcasts: how long until the last listener holds each line. */
export async function measureBroadcastFloor(miners: number, repeats: number) {
  const child = fork(fileURLToPath(import.meta.url), ['server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise<FloorMessage>((resolve) => child.once('message', (m) => resolve(m as FloorMessage)));
  try {
    const listening = await next();
    if (listening.type !== 'listening') throw new Error('floor server did not start');
    const listeners = await connectListeners(listening.port, miners, (i) => `floor${i}`);
    const samples: { lastMs: number; loopMs: number }[] = [];
    let warmUp: { lastMs: number; loopMs: number } | null = null;
    // As in the pool's scenario: the first line after the listeners connected is a warm-up, reported on its own.
    for (let r = 0; r <= repeats; r++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const prevhash = (r + 1).toString(16).padStart(64, '0');
      const written = next();
      child.send({ prevhash });
      const report = await written;
      if (report.type !== 'written') throw new Error('unexpected floor message');
      const deadline = performance.now() + 30_000;
      while (listeners.some((l) => l.prevhash !== prevhash)) {
        if (performance.now() > deadline) throw new Error('floor broadcast did not reach every listener');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const last = Math.max(...listeners.map((l) => performance.timeOrigin + l.receivedAt));
      const sample = { lastMs: last - report.startedAt, loopMs: report.loopMs };
      if (r === 0) warmUp = sample;
      else samples.push(sample);
    }
    for (const l of listeners) l.close();
    return { miners, warmUp, samples, lastMsMedian: median(samples.map((s) => s.lastMs)), loopMsMedian: median(samples.map((s) => s.loopMs)) };
  } finally {
    child.send({ exit: true });
  }
}

if (process.argv[2] === 'server') serve();

// A bare TCP client for line-delimited JSON listeners (the CLI): sends raw bytes, collects answer lines.
import { connect, type Socket } from 'node:net';

/** Sends `data` as is and collects answer lines until `count` arrived or the server closed; fails after 5 s. */
export function exchangeLines(port: number, data: string | Buffer, count: number): Promise<{ answers: Record<string, unknown>[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let buffer = '';
    const answers: Record<string, unknown>[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`only ${answers.length} of ${count} answers: ${buffer}`));
    }, 5000);
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers, closed });
    };
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(data));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        answers.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
      if (answers.length >= count) done(false);
    });
    socket.on('close', () => done(true));
  });
}

// Whether a stratum port serves a peer: a subscribe from `from` (a loopback address of its own) is answered, or the
// connection is closed unanswered (a banned IP).
import { connect } from 'node:net';

export function subscribeAnswered(port: number, from: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from });
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write('{"id":1,"method":"mining.subscribe","params":[]}\n'));
    socket.on('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('close', () => resolve(false));
  });
}

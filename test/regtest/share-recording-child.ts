// A pool worker stand-in for share-recording.test.ts: one PoolRuntime (the real one, through startPool) in its own
// process, so the test can SIGKILL it under load. Prints "READY <stratum port>" once serving.
import { startPool } from '../helpers/pool-harness.js';

interface ChildArgs {
  daemons: { host: string; rpcPort: number; user: string; password: string }[];
  address: string;
  redis: { host: string; port: number };
  keyPrefix: string;
  diff: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const pool = await startPool({ daemons: args.daemons, address: args.address, diff: args.diff, redis: args.redis, keyPrefix: args.keyPrefix });
process.stdout.write(`READY ${pool.stratumPort}\n`);
process.on('SIGTERM', () => {
  void pool.stop().then(() => process.exit(0));
});

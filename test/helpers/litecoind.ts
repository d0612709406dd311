// Two real regtest litecoind nodes for daemon-facing tests. Node A is the pool's daemon; node B exists because
// getblocktemplate refuses to answer (-9 "not connected") without a peer. See shared/design/regtest.md.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AddressInUseError, findFreePorts, retryOnAddressInUse } from './ports.js';
import {
  type CleanupRegistry,
  defaultRegistry,
  FatalWaitError,
  type LoggedProcess,
  requireBinary,
  spawnLogged,
  waitFor,
} from './processes.js';
import { rpcCall } from './litecoind-rpc.js';

export { RpcError } from './litecoind-rpc.js';
export { activateMweb, createWallet, mine, newAddress, waitForSync, type AddressType } from './regtest-chain.js';

/** The real daemon: /usr/bin/litecoind is a Debian wrapper that writes ~/.litecoin even for -version. */
export const LITECOIND_BIN = '/usr/lib/litecoin/litecoind';
const HOST = '127.0.0.1';
/** A lost port race: on a P2P bind failure litecoind neither exits nor answers RPC, so watch its output. */
const BIND_FAILURE = /Unable to bind|Binding RPC on address .* failed/;
/** Init errors print "Error: ..." (capitalised; routine log noise says "ERROR:"). */
const INIT_ERROR = /\bError: /;

export interface RegtestNodeOptions {
  /** Appended to the standard flags, e.g. ['-blocknotify=/path/notify %s', '-vbparams=mweb:4102444800:4102444801']. */
  extraArgs?: string[];
}

export interface RegtestPairOptions {
  a?: RegtestNodeOptions;
  b?: RegtestNodeOptions;
  /** Budget for RPC to come up and the peers to connect. */
  startTimeoutMs?: number;
  registry?: CleanupRegistry;
}

export class RegtestNode {
  readonly host: string = HOST;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly rpcPort: number,
    readonly p2pPort: number,
    readonly onionPort: number,
    readonly user: string,
    readonly password: string,
    readonly datadir: string,
    private readonly proc: LoggedProcess,
    private readonly registry: CleanupRegistry,
  ) {}

  get pid(): number {
    return this.proc.pid;
  }

  get running(): boolean {
    return !this.proc.hasExited;
  }

  /** JSON-RPC call; pass `wallet` for wallet methods (/wallet/NAME endpoint). */
  rpc<T = unknown>(method: string, params: unknown[] = [], wallet?: string, timeoutMs = 30_000): Promise<T> {
    const target = { host: this.host, port: this.rpcPort, user: this.user, password: this.password };
    return rpcCall<T>(target, method, params, { wallet, timeoutMs });
  }

  /** Last lines of the daemon's console output, for assertion messages. */
  logs(lines = 40): string {
    return this.proc.describeTail(lines);
  }

  /** `stop` RPC, SIGKILL if the daemon is still up after the deadline, then the datadir is removed. Idempotent. */
  stop(graceMs = 15_000): Promise<void> {
    this.stopping ??= (async () => {
      await this.proc.stop({ graceMs, requestStop: () => this.rpc('stop', [], undefined, 5000).then(() => undefined) });
      this.registry.removeDir(this.datadir);
    })();
    return this.stopping;
  }

  /** Resolves once RPC answers; rejects at once if the daemon exits (AddressInUseError for a lost port race). */
  async waitForRpc(timeoutMs: number): Promise<void> {
    try {
      await waitFor(
        async () => {
          if (this.proc.hasExited) throw new FatalWaitError(`${this.name} exited during startup`);
          if (this.proc.alerts.length > 0) throw new FatalWaitError(`${this.name}: ${this.proc.alerts[0]}`);
          // Short per-call timeout: while the daemon loads, a request can hang until the HTTP server is up.
          await this.rpc('getblockcount', [], undefined, 1000);
          return true;
        },
        { timeoutMs, intervalMs: 100, what: `${this.name} RPC on ${HOST}:${this.rpcPort}` },
      );
    } catch (err) {
      if (!this.proc.hasExited) await this.proc.stop({ graceMs: 2000 });
      if (this.proc.alerts.some((line) => BIND_FAILURE.test(line))) {
        throw new AddressInUseError(`${this.name}: a port was taken\n${this.proc.describeTail(10)}`);
      }
      throw new Error(`${(err as Error).message}\n${this.proc.describeTail()}`, { cause: err });
    }
  }
}

export interface RegtestPair {
  a: RegtestNode;
  b: RegtestNode;
  /** Stops both nodes (in parallel) and removes their datadirs. Idempotent. */
  stop(): Promise<void>;
}

function nodeArgs(datadir: string, user: string, password: string, ports: number[], extra: string[]): string[] {
  const [rpcPort, p2pPort, onionPort] = ports;
  return [
    '-regtest',
    '-server=1',
    `-datadir=${datadir}`,
    `-rpcuser=${user}`,
    `-rpcpassword=${password}`,
    `-rpcport=${rpcPort}`,
    `-rpcbind=${HOST}`,
    `-rpcallowip=${HOST}`,
    `-port=${p2pPort}`,
    // Without explicit binds P2P listens on every interface and a hidden onion listener grabs 127.0.0.1:19444.
    `-bind=${HOST}:${p2pPort}`,
    `-bind=${HOST}:${onionPort}=onion`,
    '-listen=1',
    '-discover=0',
    '-dnsseed=0',
    '-upnp=0',
    '-listenonion=0',
    '-fallbackfee=0.0001',
    '-txindex=1',
    '-printtoconsole=1',
    // A small keypool keeps createwallet well under a second; tests never need thousands of pre-made keys.
    '-keypool=10',
    ...extra,
  ];
}

function launchNode(
  name: string,
  ports: number[],
  extra: string[],
  registry: CleanupRegistry,
): RegtestNode {
  const datadir = mkdtempSync(join(tmpdir(), `headframe-ltc-${name}-`));
  registry.trackDir(datadir);
  const user = `hf${name}`;
  const password = randomBytes(12).toString('hex');
  const proc = spawnLogged(LITECOIND_BIN, nodeArgs(datadir, user, password, ports, extra), {
    name: `litecoind-${name}`,
    registry,
    alertPatterns: [BIND_FAILURE, INIT_ERROR],
  });
  const [rpcPort, p2pPort, onionPort] = ports;
  return new RegtestNode(name, rpcPort, p2pPort, onionPort, user, password, datadir, proc, registry);
}

export interface SingleNodeOptions extends RegtestNodeOptions {
  name?: string;
  /** [rpc, p2p, onion]. Fixed ports are not retried on EADDRINUSE: the AddressInUseError reaches the caller. */
  ports?: [number, number, number];
  startTimeoutMs?: number;
  registry?: CleanupRegistry;
}

/**
 * One regtest node without a peer: getblocktemplate answers -9 "not connected" on it, which is exactly what
 * tests of that failure need. Most tests want startRegtestPair instead.
 */
export async function startRegtestNode(options: SingleNodeOptions = {}): Promise<RegtestNode> {
  requireBinary(LITECOIND_BIN, 'litecoind');
  const registry = options.registry ?? defaultRegistry();
  const start = async (ports: number[]): Promise<RegtestNode> => {
    const node = launchNode(options.name ?? 'solo', ports, options.extraArgs ?? [], registry);
    try {
      await node.waitForRpc(options.startTimeoutMs ?? 20_000);
    } catch (err) {
      await node.stop(2000);
      throw err;
    }
    return node;
  };
  if (options.ports) return start(options.ports);
  return retryOnAddressInUse(async () => start(await findFreePorts(3)));
}

async function launchPair(options: RegtestPairOptions, registry: CleanupRegistry): Promise<RegtestPair> {
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const ports = await findFreePorts(6);
  const aPorts = ports.slice(0, 3);
  const bPorts = ports.slice(3);
  // Both start at once (RPC takes ~1.3 s each); B keeps retrying its -connect until A listens.
  const a = launchNode('A', aPorts, options.a?.extraArgs ?? [], registry);
  const b = launchNode('B', bPorts, [`-connect=${HOST}:${aPorts[1]}`, ...(options.b?.extraArgs ?? [])], registry);
  const pair: RegtestPair = { a, b, stop: () => Promise.all([a.stop(), b.stop()]).then(() => undefined) };
  try {
    const started = await Promise.allSettled([a.waitForRpc(timeoutMs), b.waitForRpc(timeoutMs)]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    // -connect backs off between attempts; an explicit onetry connects now instead of in a few seconds.
    await b.rpc('addnode', [`${HOST}:${a.p2pPort}`, 'onetry'], undefined, 5000).catch(() => undefined);
    await waitFor(
      async () => {
        const [ca, cb] = await Promise.all([
          a.rpc<number>('getconnectioncount', [], undefined, 1000),
          b.rpc<number>('getconnectioncount', [], undefined, 1000),
        ]);
        return ca >= 1 && cb >= 1;
      },
      {
        timeoutMs,
        intervalMs: 100,
        what: 'regtest nodes A and B to connect',
        diagnostics: () => `${a.logs(15)}\n${b.logs(15)}`,
      },
    );
  } catch (err) {
    await pair.stop();
    throw err;
  }
  return pair;
}

/**
 * Starts node A and node B (peer of A) on free ports with their own temp datadirs, waits for RPC and for the
 * P2P connection. Call `after(() => pair.stop())`; the cleanup registry kills both if the test process dies.
 */
export async function startRegtestPair(options: RegtestPairOptions = {}): Promise<RegtestPair> {
  requireBinary(LITECOIND_BIN, 'litecoind');
  const registry = options.registry ?? defaultRegistry();
  return retryOnAddressInUse(() => launchPair(options, registry));
}


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
import { RpcError, rpcCall } from './litecoind-rpc.js';

export { RpcError } from './litecoind-rpc.js';

/** The real daemon: /usr/bin/litecoind is a Debian wrapper that writes ~/.litecoin even for -version. */
export const LITECOIND_BIN = '/usr/lib/litecoin/litecoind';
const HOST = '127.0.0.1';

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
  readonly host = HOST;
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
          // Short per-call timeout: while the daemon loads, a request can hang until the HTTP server is up.
          await this.rpc('getblockcount', [], undefined, 1000);
          return true;
        },
        { timeoutMs, intervalMs: 100, what: `${this.name} RPC on ${HOST}:${this.rpcPort}` },
      );
    } catch (err) {
      if (!this.proc.hasExited) await this.proc.stop({ graceMs: 2000 });
      const output = this.proc.output.text();
      if (/Unable to bind|Address already in use|Binding RPC on address .* failed/i.test(output)) {
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
  });
  const [rpcPort, p2pPort, onionPort] = ports;
  return new RegtestNode(name, rpcPort, p2pPort, onionPort, user, password, datadir, proc, registry);
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
      { timeoutMs, intervalMs: 100, what: 'regtest nodes A and B to connect', diagnostics: () => `${a.logs(15)}\n${b.logs(15)}` },
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

export type AddressType = 'legacy' | 'p2sh-segwit' | 'bech32' | 'mweb';

/** Creates (or loads, if it already exists in the datadir) a wallet and returns its name. */
export async function createWallet(node: RegtestNode, name: string): Promise<string> {
  try {
    await node.rpc('createwallet', [name]);
  } catch (err) {
    // -4: "Wallet file verification failed... already exists"; -35: already loaded.
    if (!(err instanceof RpcError) || (err.code !== -4 && err.code !== -35)) throw err;
    if (err.code === -4) await node.rpc('loadwallet', [name]).catch(() => undefined);
  }
  return name;
}

export function newAddress(node: RegtestNode, wallet: string, type: AddressType = 'bech32'): Promise<string> {
  return node.rpc<string>('getnewaddress', ['', type], wallet);
}

const MINER_WALLET = 'harness-miner';

/** Mines `count` blocks on `node` to `address` (default: a fresh address of the harness's own wallet). */
export async function mine(node: RegtestNode, count: number, address?: string): Promise<string[]> {
  const to = address ?? (await newAddress(node, await createWallet(node, MINER_WALLET)));
  // Scrypt at regtest difficulty takes ~2 hashes per block, so even hundreds of blocks are quick; 1 s per block is generous.
  return node.rpc<string[]>('generatetoaddress', [count, to], undefined, 30_000 + count * 1000);
}

/** Waits until both nodes report the same best block. */
export async function waitForSync(a: RegtestNode, b: RegtestNode, timeoutMs = 15_000): Promise<string> {
  return waitFor(
    async () => {
      const [ha, hb] = await Promise.all([
        a.rpc<string>('getbestblockhash', [], undefined, 2000),
        b.rpc<string>('getbestblockhash', [], undefined, 2000),
      ]);
      return ha === hb ? ha : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `${a.name} and ${b.name} to agree on the best block` },
  );
}

const MWEB_ACTIVATION_HEIGHT = 432;

/**
 * Brings MWEB to active on the pair: mine to 431, put a peg-in in A's mempool (block 432 cannot be templated
 * without one), mine past 432 and wait for B. Slow-ish (hundreds of blocks): use only in tests that need MWEB.
 */
export async function activateMweb(pair: RegtestPair, wallet = 'harness-mweb'): Promise<void> {
  const { a, b } = pair;
  await createWallet(a, wallet);
  const payout = await newAddress(a, wallet, 'bech32');
  const height = await a.rpc<number>('getblockcount');
  if (height >= MWEB_ACTIVATION_HEIGHT) throw new Error(`activateMweb: chain is already at ${height}, past activation`);
  if (height < MWEB_ACTIVATION_HEIGHT - 1) await mine(a, MWEB_ACTIVATION_HEIGHT - 1 - height, payout);
  // Only legal now: a peg-in sent earlier is accepted by the wallet but never broadcast (regtest.md).
  const pegIn = await newAddress(a, wallet, 'mweb');
  await a.rpc('sendtoaddress', [pegIn, 1], wallet);
  await mine(a, 2, payout);
  await waitForSync(a, b);
  const info = await a.rpc<{ softforks?: Record<string, { active?: boolean }> }>('getblockchaininfo');
  if (info.softforks?.mweb?.active !== true) {
    throw new Error(`activateMweb: MWEB is not active at height ${MWEB_ACTIVATION_HEIGHT + 1}; started with -vbparams=mweb:...?`);
  }
}

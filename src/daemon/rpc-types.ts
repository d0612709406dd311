// Shapes of the daemon answers the pool reads, as Litecoin Core 0.21 / Bitcoin Core return them. Only the fields the
// pool may use are listed; daemons add fields freely between versions. Amounts the daemon reports in coins (floats)
// are deliberately absent: money is handled in integer base units elsewhere.
import type { BlockTemplate as AssemblyTemplate, TemplateTransaction as AssemblyTransaction } from '../blockchain/bitcoin/template.js';
import type { DaemonError } from './errors.js';

export interface TemplateRequest {
  /** Litecoin 0.21 needs ["mweb", "segwit"] at every height, Bitcoin ["segwit"]. */
  readonly rules: readonly string[];
  readonly capabilities?: readonly string[];
  readonly mode?: 'template' | 'proposal';
  readonly longpollid?: string;
  /** Proposal mode: the block to check, hex. */
  readonly data?: string;
}

/** A template transaction: what block assembly reads (data, txid, hash) plus the fields only the daemon reports. */
export interface TemplateTransaction extends AssemblyTransaction {
  /** 1-based indexes of earlier template transactions this one spends from. */
  readonly depends: readonly number[];
  /** Fee in base units (litoshis/satoshis). */
  readonly fee: number;
  readonly sigops?: number;
  readonly weight: number;
}

/**
 * The whole getblocktemplate answer. The fields block assembly reads (version, previousblockhash, bits, curtime,
 * height, coinbasevalue, witness commitment, mweb, ...) are declared once, in blockchain/bitcoin/template.ts.
 */
export interface BlockTemplate extends AssemblyTemplate {
  readonly capabilities?: readonly string[];
  /** Pending deployments: name -> version bit. */
  readonly vbavailable: Readonly<Record<string, number>>;
  readonly vbrequired: number;
  readonly transactions: readonly TemplateTransaction[];
  readonly coinbaseaux: Readonly<Record<string, string>>;
  readonly mutable: readonly string[];
  readonly noncerange: string;
  readonly sigoplimit: number;
  readonly sizelimit: number;
  readonly weightlimit: number;
}

/** `submitblock` answers null when accepted, otherwise a reason such as "duplicate", "inconclusive", "high-hash". */
export type SubmitBlockResult = null | string;

/** `getblock <hash> 1`. */
export interface BlockInfo {
  readonly hash: string;
  /** -1 when the block is not on the main chain (orphaned). */
  readonly confirmations: number;
  readonly size: number;
  readonly strippedsize: number;
  readonly weight: number;
  readonly height: number;
  readonly version: number;
  readonly versionHex: string;
  readonly merkleroot: string;
  /** Transaction ids; the first one is the coinbase. */
  readonly tx: readonly string[];
  readonly time: number;
  readonly mediantime: number;
  readonly nonce: number;
  readonly bits: string;
  readonly difficulty: number;
  readonly chainwork: string;
  readonly nTx: number;
  readonly previousblockhash?: string;
  readonly nextblockhash?: string;
}

export interface BlockchainInfo {
  /** "main", "test" or "regtest". */
  readonly chain: string;
  readonly blocks: number;
  readonly headers: number;
  readonly bestblockhash: string;
  readonly difficulty: number;
  readonly mediantime: number;
  readonly verificationprogress: number;
  readonly initialblockdownload: boolean;
  readonly chainwork: string;
  readonly size_on_disk: number;
  readonly pruned: boolean;
  readonly warnings: string;
}

export interface MiningInfo {
  readonly blocks: number;
  readonly currentblockweight?: number;
  readonly currentblocktx?: number;
  /** Litecoin 0.21+. */
  readonly currentblockmwebweight?: number;
  readonly difficulty: number;
  readonly networkhashps: number;
  readonly pooledtx: number;
  readonly chain: string;
  readonly warnings: string;
}

export interface ValidateAddressResult {
  readonly isvalid: boolean;
  readonly address?: string;
  /**
   * Output script for the address, hex. Litecoin 0.21 returns an empty string (not an absent field) for MWEB
   * addresses, which a coinbase cannot pay: check `ismweb` and for an empty script.
   */
  readonly scriptPubKey?: string;
  /** Litecoin 0.21+: the address is an MWEB stealth address (`tmweb1...`/`ltcmweb1...`). */
  readonly ismweb?: boolean;
  readonly isscript?: boolean;
  readonly iswitness?: boolean;
  readonly witness_version?: number;
  readonly witness_program?: string;
  /** Why the address is invalid (newer daemons only). */
  readonly error?: string;
}

export interface NetworkInfo {
  readonly version: number;
  readonly subversion: string;
  readonly protocolversion: number;
  readonly localservices: string;
  readonly localrelay: boolean;
  readonly timeoffset: number;
  readonly networkactive: boolean;
  readonly connections: number;
  readonly warnings: string;
}

/** The calls the pool makes, with their params and results, so `call('getblock', [hash])` is typed end to end. */
export interface RpcMethods {
  getblocktemplate: { params: [request: TemplateRequest]; result: BlockTemplate };
  submitblock: { params: [hexdata: string] | [hexdata: string, dummy: string]; result: SubmitBlockResult };
  getblock: { params: [blockhash: string] | [blockhash: string, verbosity: 1]; result: BlockInfo };
  getblockhash: { params: [height: number]; result: string };
  getbestblockhash: { params: []; result: string };
  getblockcount: { params: []; result: number };
  getblockchaininfo: { params: []; result: BlockchainInfo };
  getmininginfo: { params: []; result: MiningInfo };
  validateaddress: { params: [address: string]; result: ValidateAddressResult };
  getnetworkinfo: { params: []; result: NetworkInfo };
}

export type RpcMethod = keyof RpcMethods;
export type RpcParams<M extends RpcMethod> = RpcMethods[M]['params'];
export type RpcResult<M extends RpcMethod> = RpcMethods[M]['result'];

/** One entry of a batch. */
export interface RpcRequest {
  readonly method: string;
  readonly params?: readonly unknown[];
}

/** One answer of a batch: an RPC error for one entry is a value, not a failure of the whole batch. */
export type BatchItem<T = unknown> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: DaemonError };

/**
 * Calls that only read, so sending them again (on a fresh socket, or to another daemon) cannot change anything.
 * Everything else (submitblock, sendmany, ...) is sent once and its failure reported, never repeated blindly.
 */
const REPEATABLE: ReadonlySet<string> = new Set([
  'getblocktemplate',
  'getblock',
  'getblockhash',
  'getblockheader',
  'getbestblockhash',
  'getblockcount',
  'getblockchaininfo',
  'getmininginfo',
  'getnetworkinfo',
  'getnetworkhashps',
  'getdifficulty',
  'getpeerinfo',
  'getconnectioncount',
  'getmempoolinfo',
  'getrawmempool',
  'getrawtransaction',
  'gettxout',
  'validateaddress',
  'getaddressinfo',
  'getbalance',
  'getbalances',
  'getwalletinfo',
  'gettransaction',
  'listunspent',
  'listtransactions',
  'listsinceblock',
  'uptime',
]);

export function isRepeatable(method: string): boolean {
  return REPEATABLE.has(method);
}

// Shapes of the daemon answers the pool reads, as Litecoin Core 0.21 / Bitcoin Core return them. Only the fields the
// pool may use are listed; daemons add fields freely between versions. Amounts the daemon reports in coins (floats)
// are deliberately absent: money is handled in integer base units elsewhere.
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

export interface TemplateTransaction {
  /** Serialized transaction, hex, with witness when it has one. */
  readonly data: string;
  /** Hash without witness, RPC byte order: the merkle root is built from these. */
  readonly txid: string;
  /** Hash with witness, RPC byte order. */
  readonly hash: string;
  /** 1-based indexes of earlier template transactions this one spends from. */
  readonly depends: readonly number[];
  /** Fee in base units (litoshis/satoshis). */
  readonly fee: number;
  readonly sigops?: number;
  readonly weight: number;
}

export interface BlockTemplate {
  readonly capabilities?: readonly string[];
  readonly version: number;
  /** Active rules; a "!" prefix marks one the miner must understand, e.g. Litecoin 0.21 regtest: ["csv", "!segwit", "taproot"]. */
  readonly rules: readonly string[];
  /** Pending deployments: name -> version bit. */
  readonly vbavailable: Readonly<Record<string, number>>;
  readonly vbrequired: number;
  readonly previousblockhash: string;
  readonly transactions: readonly TemplateTransaction[];
  readonly coinbaseaux: Readonly<Record<string, string>>;
  /** Subsidy plus fees in base units; below 2^53 for Bitcoin-family coins, so a JS number holds it exactly. */
  readonly coinbasevalue: number;
  readonly longpollid?: string;
  /** Network target, 64 hex digits. */
  readonly target: string;
  readonly mintime: number;
  readonly mutable: readonly string[];
  readonly noncerange: string;
  readonly sigoplimit: number;
  readonly sizelimit: number;
  readonly weightlimit: number;
  readonly curtime: number;
  /** Compact target, 8 hex digits. */
  readonly bits: string;
  readonly height: number;
  /** Script of the witness commitment output, hex; Litecoin 0.21 sends it even for a template without transactions. */
  readonly default_witness_commitment?: string;
  /** Litecoin after MWEB activation: the serialized MWEB block, appended after the transactions as 0x01 ‖ mweb. */
  readonly mweb?: string;
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

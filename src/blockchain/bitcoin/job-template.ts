// One block template turned into everything a stratum job needs. Built once per template; the per-share methods
// (coinbase, header, merkle root, block) only copy precomputed bytes and write the few share-dependent fields.
import { buildCoinbaseParts } from './coinbase.js';
import { rpcHexToInternal, sha256d } from './hash.js';
import { merkleBranch, merkleRootFromBranch } from './merkle.js';
import type { CoinbaseRecipient } from './reward-split.js';
import { varint } from './serialize.js';
import { BlockTemplate, compactToTarget, parseBits } from './template.js';

export const HEADER_SIZE = 80;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

export interface JobTemplateOptions {
  readonly jobId: string;
  /** Output script of the pool's payout address. */
  readonly payoutScript: Buffer;
  readonly recipients: readonly CoinbaseRecipient[];
  readonly poolTag: string;
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  /**
   * Whether the coin has MWEB. A template carrying an `mweb` field is always serialized with it (the block is
   * invalid otherwise); this flag only catches a template with MWEB data on a coin configured without it.
   */
  readonly mweb: boolean;
  readonly txVersion?: 1 | 2;
  /** See CoinbaseSpec.jobSalt: the job manager gives every job its own. */
  readonly jobSalt?: Buffer;
}

export class JobTemplate {
  readonly jobId: string;
  readonly height: number;
  /** Previous block hash as the RPC prints it. */
  readonly prevHashRpc: string;
  /** Network (block) target. */
  readonly target: bigint;
  readonly bits: number;
  readonly bitsHex: string;
  readonly curtime: number;
  readonly version: number;
  readonly coinb1: Buffer;
  readonly coinb2: Buffer;
  /** Internal byte order. */
  readonly merkleBranch: readonly Buffer[];
  readonly coinbaseValue: bigint;
  /** Output amounts of the coinbase in order: pool, recipients..., witness commitment (0) when present. */
  readonly outputValues: readonly bigint[];
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  readonly transactionCount: number;

  /** 80 bytes with prevhash and bits filled in; version, merkle root, ntime and nonce are written per share. */
  private readonly headerBase: Buffer;
  /** varint(1 + n): the count prefix of the block's transaction list. */
  private readonly txCountPrefix: Buffer;
  /** Every template transaction's data followed by the MWEB tail, ready to append after the coinbase. */
  private readonly blockTail: Buffer;
  private readonly notifyBase: readonly unknown[];

  constructor(template: BlockTemplate, options: JobTemplateOptions) {
    if (!Number.isSafeInteger(template.coinbasevalue) || template.coinbasevalue < 0) {
      throw new RangeError(`template coinbasevalue is not a non-negative safe integer: ${template.coinbasevalue}`);
    }
    if (!Number.isInteger(template.version) || template.version < 0 || template.version > 0xffffffff) {
      throw new RangeError(`template version out of range: ${template.version}`);
    }
    if (!Number.isInteger(template.curtime) || template.curtime < 0 || template.curtime > 0xffffffff) {
      throw new RangeError(`template curtime out of range: ${template.curtime}`);
    }
    if (template.mweb !== undefined && !options.mweb) {
      throw new Error('the template carries MWEB data but the coin is configured without MWEB');
    }

    this.jobId = options.jobId;
    this.height = template.height;
    this.prevHashRpc = template.previousblockhash;
    this.bits = parseBits(template.bits);
    this.bitsHex = template.bits.toLowerCase();
    this.target = compactToTarget(this.bits);
    this.curtime = template.curtime;
    this.version = template.version;
    this.coinbaseValue = BigInt(template.coinbasevalue);
    this.extranonce1Size = options.extranonce1Size;
    this.extranonce2Size = options.extranonce2Size;
    this.transactionCount = template.transactions.length;

    const parts = buildCoinbaseParts({
      height: template.height,
      value: this.coinbaseValue,
      payoutScript: options.payoutScript,
      recipients: options.recipients,
      poolTag: options.poolTag,
      extranonce1Size: options.extranonce1Size,
      extranonce2Size: options.extranonce2Size,
      witnessCommitment: template.default_witness_commitment,
      txVersion: options.txVersion,
      jobSalt: options.jobSalt,
    });
    this.coinb1 = parts.coinb1;
    this.coinb2 = parts.coinb2;
    this.outputValues = parts.outputValues;

    // The merkle tree covers txids (never witness hashes), the MWEB HogEx transaction included.
    this.merkleBranch = merkleBranch(template.transactions.map((tx) => rpcHexToInternal(tx.txid)));

    this.headerBase = Buffer.alloc(HEADER_SIZE);
    rpcHexToInternal(template.previousblockhash).copy(this.headerBase, 4);
    this.headerBase.writeUInt32LE(this.bits, 72);

    this.txCountPrefix = varint(1 + template.transactions.length);
    const tail: Buffer[] = template.transactions.map((tx, i) => {
      if (!HEX.test(tx.data)) throw new TypeError(`template transaction ${i} data is not hex`);
      return Buffer.from(tx.data, 'hex');
    });
    if (template.mweb !== undefined) {
      if (!HEX.test(template.mweb)) throw new TypeError('template mweb is not hex');
      // Litecoin marks the extension block with a 0x01 byte after the last transaction.
      tail.push(Buffer.from([0x01]), Buffer.from(template.mweb, 'hex'));
    }
    this.blockTail = Buffer.concat(tail);

    this.notifyBase = [
      this.jobId,
      notifyPrevHash(template.previousblockhash),
      this.coinb1.toString('hex'),
      this.coinb2.toString('hex'),
      this.merkleBranch.map((h) => h.toString('hex')),
      hex32(this.version),
      this.bitsHex,
      hex32(this.curtime),
    ];
  }

  /** mining.notify's nine params. */
  notifyParams(cleanJobs: boolean): unknown[] {
    return [...this.notifyBase, cleanJobs];
  }

  /** Length of the coinbase transaction this job builds. */
  get coinbaseSize(): number {
    return this.coinb1.length + this.extranonce1Size + this.extranonce2Size + this.coinb2.length;
  }

  /** The full coinbase transaction for one miner's extranonces. */
  coinbase(extranonce1: Buffer, extranonce2: Buffer): Buffer {
    if (extranonce1.length !== this.extranonce1Size || extranonce2.length !== this.extranonce2Size) {
      throw new RangeError(
        `extranonce sizes ${extranonce1.length}+${extranonce2.length}, expected ${this.extranonce1Size}+${this.extranonce2Size}`,
      );
    }
    const out = Buffer.allocUnsafe(this.coinbaseSize);
    let at = this.coinb1.copy(out, 0);
    at += extranonce1.copy(out, at);
    at += extranonce2.copy(out, at);
    this.coinb2.copy(out, at);
    return out;
  }

  /** Merkle root (internal order) for a coinbase transaction built by `coinbase`. */
  merkleRoot(coinbase: Buffer): Buffer {
    return merkleRootFromBranch(sha256d(coinbase), this.merkleBranch);
  }

  /** A fresh 80-byte header. `ntime`/`nonce` are the numbers the miner sent (its hex is big-endian). */
  header(merkleRoot: Buffer, ntime: number, nonce: number, version: number): Buffer {
    return this.headerInto(Buffer.allocUnsafe(HEADER_SIZE), merkleRoot, ntime, nonce, version);
  }

  /** Writes the header into `out` (at least 80 bytes, reusable between shares) and returns it. */
  headerInto(out: Buffer, merkleRoot: Buffer, ntime: number, nonce: number, version: number): Buffer {
    if (out.length < HEADER_SIZE) throw new RangeError('header buffer shorter than 80 bytes');
    if (merkleRoot.length !== 32) throw new RangeError('merkle root must be 32 bytes');
    this.headerBase.copy(out, 0, 0, HEADER_SIZE);
    out.writeUInt32LE(version >>> 0, 0);
    merkleRoot.copy(out, 36);
    out.writeUInt32LE(ntime >>> 0, 68);
    out.writeUInt32LE(nonce >>> 0, 76);
    return out;
  }

  /** header ‖ varint(1 + n) ‖ coinbase ‖ template transactions ‖ (0x01 ‖ mweb). Hex this for submitblock. */
  serializeBlock(header: Buffer, coinbase: Buffer): Buffer {
    if (header.length !== HEADER_SIZE) throw new RangeError('header must be 80 bytes');
    return Buffer.concat([header, this.txCountPrefix, coinbase, this.blockTail]);
  }
}

/** RPC prevhash hex with its eight 4-byte words in reverse order (bytes inside each word kept): stratum's form. */
export function notifyPrevHash(prevHashRpc: string): string {
  rpcHexToInternal(prevHashRpc);
  let out = '';
  for (let word = 7; word >= 0; word--) out += prevHashRpc.slice(word * 8, word * 8 + 8);
  return out.toLowerCase();
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

// The coinbase transaction, serialized without witness (the form its txid covers), cut around the extranonce.
//
// Layout: version | 01 | 32 x 00 | ffffffff | varint(scriptSig length) | scriptSig | ffffffff | outputs | locktime 0
// scriptSig: BIP34 height push ‖ push opcode for the extranonce ‖ extranonce1 ‖ extranonce2 ‖ job salt push ‖
// pool tag push.
// The extranonce sits inside one data push so the scriptSig stays a parseable script (explorers show the tag).
// Outputs: pool first, then reward recipients in configured order, then the witness commitment (value 0), which
// Core expects among the last outputs. Submitblock adds the coinbase witness (reserved value) itself.
import { CoinbaseRecipient, splitReward } from './reward-split.js';
import { pushData, pushOpcodeLength, scriptNumPush, txOutput, u32le, varint, writePushOpcode } from './serialize.js';

/** Consensus bounds of a coinbase scriptSig (bad-cb-length outside them). */
export const MAX_COINBASE_SCRIPT_SIG = 100;
const MIN_COINBASE_SCRIPT_SIG = 2;
const SEQUENCE_FINAL = Buffer.from('ffffffff', 'hex');
const NULL_PREVOUT = Buffer.concat([Buffer.alloc(32), SEQUENCE_FINAL]);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export interface CoinbaseSpec {
  readonly height: number;
  /** Subsidy plus fees from the template, in base units. */
  readonly value: bigint;
  readonly payoutScript: Buffer;
  readonly recipients: readonly CoinbaseRecipient[];
  readonly poolTag: string;
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  /** The template's `default_witness_commitment` script hex, when present. */
  readonly witnessCommitment?: string;
  /** Transaction version: 1 like NOMP and Miningcore write for Bitcoin and Litecoin; any of 1 or 2 is valid. */
  readonly txVersion?: 1 | 2;
  /**
   * Bytes that differ between jobs (JOB_SALT_BYTES, random per job). Without them two jobs built from an unchanged
   * template (a rebroadcast on a quiet mempool, or the first job of a reloaded pool) have identical coinbases, so one
   * header is valid under both job ids and a share sent under each would be credited twice: duplicates are
   * detected per job.
   */
  readonly jobSalt?: Buffer;
}

export const JOB_SALT_BYTES = 4;

export interface CoinbaseParts {
  /** Everything before extranonce1. */
  readonly coinb1: Buffer;
  /** Everything after extranonce2. */
  readonly coinb2: Buffer;
  /** Amounts per output in order (pool, recipients..., witness commitment when present). */
  readonly outputValues: readonly bigint[];
}

export function buildCoinbaseParts(spec: CoinbaseSpec): CoinbaseParts {
  const extranonceSize = spec.extranonce1Size + spec.extranonce2Size;
  if (!isSize(spec.extranonce1Size) || !isSize(spec.extranonce2Size) || extranonceSize > 75) {
    throw new RangeError(`bad extranonce sizes ${spec.extranonce1Size} + ${spec.extranonce2Size}`);
  }
  if (!Number.isSafeInteger(spec.height) || spec.height < 0) throw new RangeError(`bad height: ${spec.height}`);
  if (spec.payoutScript.length === 0) throw new RangeError('the pool payout script is empty');

  const heightPush = scriptNumPush(spec.height);
  const saltPush = spec.jobSalt === undefined || spec.jobSalt.length === 0 ? Buffer.alloc(0) : pushData(spec.jobSalt);
  const fixedLength = heightPush.length + pushOpcodeLength(extranonceSize) + extranonceSize + saltPush.length;
  const tagPush = tagPushFor(spec.poolTag, MAX_COINBASE_SCRIPT_SIG - fixedLength);
  const scriptSigLength = fixedLength + tagPush.length;
  if (scriptSigLength < MIN_COINBASE_SCRIPT_SIG || scriptSigLength > MAX_COINBASE_SCRIPT_SIG) {
    throw new RangeError(`coinbase scriptSig would be ${scriptSigLength} bytes`);
  }
  const extranonceOpcode = Buffer.allocUnsafe(pushOpcodeLength(extranonceSize));
  writePushOpcode(extranonceOpcode, extranonceSize, 0);

  const split = splitReward(
    spec.value,
    spec.recipients.map((r) => r.percent),
  );
  const outputs: Buffer[] = [txOutput(split.pool, spec.payoutScript)];
  const outputValues: bigint[] = [split.pool];
  spec.recipients.forEach((recipient, i) => {
    if (recipient.script.length === 0) throw new RangeError(`reward recipient ${i} has an empty script`);
    outputs.push(txOutput(split.recipients[i], recipient.script));
    outputValues.push(split.recipients[i]);
  });
  if (spec.witnessCommitment !== undefined) {
    if (!HEX.test(spec.witnessCommitment) || spec.witnessCommitment.length === 0) {
      throw new TypeError('default_witness_commitment is not hex');
    }
    outputs.push(txOutput(0n, Buffer.from(spec.witnessCommitment, 'hex')));
    outputValues.push(0n);
  }

  const coinb1 = Buffer.concat([
    u32le(spec.txVersion ?? 1),
    varint(1),
    NULL_PREVOUT,
    varint(scriptSigLength),
    heightPush,
    extranonceOpcode,
  ]);
  const coinb2 = Buffer.concat([saltPush, tagPush, SEQUENCE_FINAL, varint(outputs.length), ...outputs, u32le(0)]);
  return { coinb1, coinb2, outputValues };
}

/**
 * The pool tag as one data push that fits in `budget` bytes, cut at a UTF-8 character boundary so explorers still
 * decode it; nothing at all when the tag is empty or no room is left.
 */
function tagPushFor(tag: string, budget: number): Buffer {
  const maxData = Math.min(75, budget - 1);
  if (tag.length === 0 || maxData <= 0) return Buffer.alloc(0);
  let bytes = Buffer.from(tag, 'utf8');
  if (bytes.length > maxData) {
    let end = maxData;
    // Step back over UTF-8 continuation bytes (10xxxxxx) so a multi-byte character is never split.
    while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  return bytes.length === 0 ? Buffer.alloc(0) : pushData(bytes);
}

function isSize(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 32;
}

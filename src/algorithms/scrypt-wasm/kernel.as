// AssemblyScript source of the scrypt proof-of-work kernel (Litecoin: scrypt(header, header, N=1024, r=1, p=1, 32)).
// Compiled by scripts/build-wasm.mjs. The extension is .as so the project's tsc never tries to type-check it;
// the build script hands it to asc under a .ts name.
//
// Layout: everything lives at fixed offsets above __heap_base, sized at start-up by init(); no allocator runs and
// nothing is allocated per call. The host writes headers to the input area, calls hashBatch(count) and reads
// 32-byte results from the output area.
//
// Salsa20/8 uses 128-bit SIMD with the state stored "diagonally": row vectors A=(x0,x5,x10,x15),
// B=(x4,x9,x14,x3), C=(x8,x13,x2,x7), D=(x12,x1,x6,x11). Column and row rounds then become the same four
// vector steps, separated by lane rotations of B, C and D. The whole ROMix works in this layout (XOR with V is
// position-wise, and word 16, the integerify word, keeps its place), so it is permuted only on entry and exit.
// Three headers are hashed in lockstep: one Salsa20/8 chain is latency-bound, three independent ones keep the
// vector units busy.

const N: i32 = 1024;
const BLOCK_BYTES: usize = 128;
const V_BYTES: usize = <usize>N * BLOCK_BYTES;
// A multiple of the three lanes, so a full batch never ends on a lone one-lane hash.
export const MAX_BATCH: i32 = 63;

const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// Word index of x[i] for diagonal position i (see the header comment).
const PERM: usize = memory.data<u8>([0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11]);

// Per-lane scratch (one lane per header hashed in lockstep).
const LANE_X: usize = 0; // 128 bytes: scrypt state, diagonal layout
const LANE_INNER: usize = 128; // 32 bytes: HMAC inner state after the ipad block
const LANE_OUTER: usize = 160; // 32 bytes: HMAC outer state after the opad block
const LANE_STATE: usize = 192; // 32 bytes: running SHA-256 state
const LANE_BLOCK: usize = 256; // 64 bytes: message block being compressed (native-endian words, already swapped)
const LANE_MID: usize = 320; // 32 bytes: inner state after ipad + header[0..64]
const LANE_WORDS: usize = 384; // 128 bytes: scrypt state in natural word order (PBKDF2 in/out)
const LANE_SCRATCH: usize = 512;

let inputBase: usize = 0;
let outputBase: usize = 0;
let lane0: usize = 0;
let lane1: usize = 0;
let lane2: usize = 0;
let v0: usize = 0;
let v1: usize = 0;
let v2: usize = 0;

/** Carves the fixed regions out of memory once; returns the input offset (headers, 80 bytes each). */
export function init(): usize {
  let p = (__heap_base + 63) & ~(<usize>63);
  inputBase = p;
  p += <usize>MAX_BATCH * 80;
  outputBase = p;
  p += <usize>MAX_BATCH * 32;
  lane0 = p;
  p += LANE_SCRATCH;
  lane1 = p;
  p += LANE_SCRATCH;
  lane2 = p;
  p += LANE_SCRATCH;
  p = (p + 4095) & ~(<usize>4095);
  v0 = p;
  p += V_BYTES;
  v1 = p;
  p += V_BYTES;
  v2 = p;
  p += V_BYTES;
  const needPages = <i32>((p + 0xffff) >> 16);
  const have = memory.size();
  if (needPages > have) memory.grow(needPages - have);
  return inputBase;
}

export function outputOffset(): usize {
  return outputBase;
}

// ---- SHA-256 (scalar; ~17 compressions per hash, a small share of the cost) ----

// @ts-ignore: decorator
@inline function bigSigma0(x: u32): u32 {
  return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22);
}
// @ts-ignore: decorator
@inline function bigSigma1(x: u32): u32 {
  return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25);
}
// @ts-ignore: decorator
@inline function smallSigma0(x: u32): u32 {
  return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3);
}
// @ts-ignore: decorator
@inline function smallSigma1(x: u32): u32 {
  return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10);
}

/** One SHA-256 compression of the 16 message words at `block` (host order) into the state at `state`. */
function compress(state: usize, block: usize): void {
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);
  // The 16-word window lives in the block buffer itself, so the schedule needs no extra memory. Two loops
  // instead of one with an `i < 16` test keep the branch out of the round.
  for (let i: usize = 0; i < 16; i++) {
    const w = load<u32>(block + (i << 2));
    const t1 = h + bigSigma1(e) + ((e & f) ^ (~e & g)) + load<u32>(K + (i << 2)) + w;
    const t2 = bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  for (let i: usize = 16; i < 64; i++) {
    const slot = block + ((i & 15) << 2);
    const w2 = load<u32>(block + (((i - 2) & 15) << 2));
    const w7 = load<u32>(block + (((i - 7) & 15) << 2));
    const w15 = load<u32>(block + (((i - 15) & 15) << 2));
    const w = smallSigma1(w2) + w7 + smallSigma0(w15) + load<u32>(slot);
    store<u32>(slot, w);
    const t1 = h + bigSigma1(e) + ((e & f) ^ (~e & g)) + load<u32>(K + (i << 2)) + w;
    const t2 = bigSigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  store<u32>(state, load<u32>(state, 0) + a, 0);
  store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8);
  store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16);
  store<u32>(state, load<u32>(state, 20) + f, 20);
  store<u32>(state, load<u32>(state, 24) + g, 24);
  store<u32>(state, load<u32>(state, 28) + h, 28);
}

// @ts-ignore: decorator
@inline function copy32(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src));
  v128.store(dst, v128.load(src, 16), 16);
}

/** Loads `count` big-endian words from `src` into the lane's block buffer starting at word `at`. */
function loadBE(blk: usize, at: usize, src: usize, count: usize): void {
  for (let i: usize = 0; i < count; i++) store<u32>(blk + ((at + i) << 2), bswap<u32>(load<u32>(src + (i << 2))));
}

/** Zero-fills words [from, 14) and writes the 64-bit big-endian bit length into words 14 and 15. */
function padTail(blk: usize, from: usize, bits: u32): void {
  for (let i = from; i < 14; i++) store<u32>(blk + (i << 2), 0);
  store<u32>(blk, 0, 56);
  store<u32>(blk, bits, 60);
}

/**
 * HMAC-SHA256 key schedule for key = header (80 bytes > 64, so the key is its SHA-256) and the inner state
 * after header[0..64], which all four first-PBKDF2 blocks share.
 */
function hmacSetup(lane: usize, header: usize): void {
  const st = lane + LANE_STATE;
  const blk = lane + LANE_BLOCK;
  copy32(st, IV);
  loadBE(blk, 0, header, 16);
  compress(st, blk);
  loadBE(blk, 0, header + 64, 4);
  store<u32>(blk, 0x80000000, 16);
  padTail(blk, 5, 80 * 8);
  compress(st, blk);
  // st now holds the key digest words; build the ipad and opad blocks from them.
  for (let pass = 0; pass < 2; pass++) {
    const pad: u32 = pass == 0 ? 0x36363636 : 0x5c5c5c5c;
    for (let i: usize = 0; i < 8; i++) store<u32>(blk + (i << 2), load<u32>(st + (i << 2)) ^ pad);
    for (let i: usize = 8; i < 16; i++) store<u32>(blk + (i << 2), pad);
    const target = lane + (pass == 0 ? LANE_INNER : LANE_OUTER);
    copy32(target, IV);
    compress(target, blk);
  }
  const mid = lane + LANE_MID;
  copy32(mid, lane + LANE_INNER);
  loadBE(blk, 0, header, 16);
  compress(mid, blk);
}

/** Outer HMAC over the 32-byte inner digest in the lane state; the digest words are left in the lane state. */
function hmacOuter(lane: usize): void {
  const st = lane + LANE_STATE;
  const blk = lane + LANE_BLOCK;
  copy32(blk, st);
  store<u32>(blk, 0x80000000, 32);
  padTail(blk, 9, (64 + 32) * 8);
  copy32(st, lane + LANE_OUTER);
  compress(st, blk);
}

/** PBKDF2-HMAC-SHA256(header, header, 1 iteration, 128 bytes) into the lane's X, diagonal layout. */
function pbkdf2First(lane: usize, header: usize): void {
  const st = lane + LANE_STATE;
  const blk = lane + LANE_BLOCK;
  const words = lane + LANE_WORDS;
  for (let i: u32 = 1; i <= 4; i++) {
    copy32(st, lane + LANE_MID);
    loadBE(blk, 0, header + 64, 4);
    store<u32>(blk, i, 16);
    store<u32>(blk, 0x80000000, 20);
    padTail(blk, 6, (64 + 80 + 4) * 8);
    compress(st, blk);
    hmacOuter(lane);
    // scrypt reads the derived bytes as little-endian words: the byte swap of each big-endian digest word.
    const out = words + ((<usize>i - 1) << 5);
    for (let k: usize = 0; k < 8; k++) store<u32>(out + (k << 2), bswap<u32>(load<u32>(st + (k << 2))));
  }
  const x = lane + LANE_X;
  for (let half: usize = 0; half < 2; half++) {
    for (let p: usize = 0; p < 16; p++) {
      store<u32>(x + (half << 6) + (p << 2), load<u32>(words + (half << 6) + (<usize>load<u8>(PERM + p) << 2)));
    }
  }
}

/** PBKDF2-HMAC-SHA256(header, X, 1 iteration, 32 bytes) written to `out`. */
function pbkdf2Final(lane: usize, out: usize): void {
  const st = lane + LANE_STATE;
  const blk = lane + LANE_BLOCK;
  const words = lane + LANE_WORDS;
  const x = lane + LANE_X;
  for (let half: usize = 0; half < 2; half++) {
    for (let p: usize = 0; p < 16; p++) {
      store<u32>(words + (half << 6) + (<usize>load<u8>(PERM + p) << 2), load<u32>(x + (half << 6) + (p << 2)));
    }
  }
  copy32(st, lane + LANE_INNER);
  for (let half: usize = 0; half < 2; half++) {
    // The salt bytes are the little-endian words; SHA-256 reads big-endian, so swap once here.
    for (let k: usize = 0; k < 16; k++) {
      store<u32>(blk + (k << 2), bswap<u32>(load<u32>(words + (half << 6) + (k << 2))));
    }
    compress(st, blk);
  }
  store<u32>(blk, 1, 0);
  store<u32>(blk, 0x80000000, 4);
  padTail(blk, 2, (64 + 128 + 4) * 8);
  compress(st, blk);
  hmacOuter(lane);
  for (let k: usize = 0; k < 8; k++) store<u32>(out + (k << 2), bswap<u32>(load<u32>(st + (k << 2))));
}

// ---- Salsa20/8 and ROMix ----

// @ts-ignore: decorator
@inline function rotl(v: v128, n: i32): v128 {
  return v128.or(i32x4.shl(v, n), i32x4.shr_u(v, 32 - n));
}

// @ts-ignore: decorator
@inline function qstep(t: v128, p: v128, q: v128, n: i32): v128 {
  return v128.xor(t, rotl(i32x4.add(p, q), n));
}

/**
 * How a BlockMix meets the ROMix scratch memory. Folding it into the mix saves a separate copy pass in the
 * first ROMix loop and an XOR pass in the second (measured ~8% of the batch path).
 * - FILL (first loop): read the block at the source `s` and write the mixed block to `x`, so the mix of V[i]
 *   lands directly in V[i+1] and X is never copied into V.
 * - XOR (second loop): `x` is X and `s` is V[j]; X ^= V[j] happens on the loads. Only X1 ^ V1[j] is written
 *   back, because the second half reads it again; the first half's slot is overwritten by the parked input.
 */
const FILL: i32 = 0;
const XOR: i32 = 1;

/**
 * BlockMix (r=1) of one lane: X0 = Salsa20/8(X0 ^ X1), then X1 = Salsa20/8(X1 ^ X0), with the ROMix memory
 * traffic folded in (see FILL and XOR above): the block is read from `s` (FILL) or is `x` ^ `s` (XOR), and
 * the result is written to `x`. The Salsa20/8 input is parked in x's memory for the feed-forward instead of
 * in registers, which keeps the three-lane version within the 16 vector registers of x86-64.
 */
// @ts-ignore: decorator
@inline function blockMix1(x: usize, s: usize, mode: i32): void {
  let a: v128, b: v128, c: v128, d: v128;
  let h = s;
  if (mode == FILL) {
    a = v128.xor(v128.load(s, 0), v128.load(s, 64));
    b = v128.xor(v128.load(s, 16), v128.load(s, 80));
    c = v128.xor(v128.load(s, 32), v128.load(s, 96));
    d = v128.xor(v128.load(s, 48), v128.load(s, 112));
  } else {
    h = x;
    const a1 = v128.xor(v128.load(x, 64), v128.load(s, 64));
    v128.store(x, a1, 64);
    a = v128.xor(v128.xor(v128.load(x, 0), v128.load(s, 0)), a1);
    const b1 = v128.xor(v128.load(x, 80), v128.load(s, 80));
    v128.store(x, b1, 80);
    b = v128.xor(v128.xor(v128.load(x, 16), v128.load(s, 16)), b1);
    const c1 = v128.xor(v128.load(x, 96), v128.load(s, 96));
    v128.store(x, c1, 96);
    c = v128.xor(v128.xor(v128.load(x, 32), v128.load(s, 32)), c1);
    const d1 = v128.xor(v128.load(x, 112), v128.load(s, 112));
    v128.store(x, d1, 112);
    d = v128.xor(v128.xor(v128.load(x, 48), v128.load(s, 48)), d1);
  }
  for (let half: usize = 0; half < 2; half++) {
    const p = x + (half << 6);
    v128.store(p, a, 0);
    v128.store(p, b, 16);
    v128.store(p, c, 32);
    v128.store(p, d, 48);
    // #repeat 4 -- Salsa20/8 is four double rounds; the build writes them out (see build-wasm.mjs)
    b = qstep(b, a, d, 7);
    c = qstep(c, b, a, 9);
    d = qstep(d, c, b, 13);
    a = qstep(a, d, c, 18);
    b = i32x4.shuffle(b, b, 3, 0, 1, 2);
    c = i32x4.shuffle(c, c, 2, 3, 0, 1);
    d = i32x4.shuffle(d, d, 1, 2, 3, 0);
    d = qstep(d, a, b, 7);
    c = qstep(c, d, a, 9);
    b = qstep(b, c, d, 13);
    a = qstep(a, b, c, 18);
    b = i32x4.shuffle(b, b, 1, 2, 3, 0);
    c = i32x4.shuffle(c, c, 2, 3, 0, 1);
    d = i32x4.shuffle(d, d, 3, 0, 1, 2);
    // #end
    a = i32x4.add(a, v128.load(p, 0));
    b = i32x4.add(b, v128.load(p, 16));
    c = i32x4.add(c, v128.load(p, 32));
    d = i32x4.add(d, v128.load(p, 48));
    v128.store(p, a, 0);
    v128.store(p, b, 16);
    v128.store(p, c, 32);
    v128.store(p, d, 48);
    if (half == 0) {
      a = v128.xor(a, v128.load(h, 64));
      b = v128.xor(b, v128.load(h, 80));
      c = v128.xor(c, v128.load(h, 96));
      d = v128.xor(d, v128.load(h, 112));
    }
  }
}

/**
 * blockMix1 for three independent lanes, statements interleaved. One Salsa20/8 chain is latency-bound
 * (each step waits ~4 cycles on the previous one); three chains fill the vector pipes. Four would spill.
 * Lane x reads sx and writes x (likewise y, z); `mode` as for blockMix1.
 */
// @ts-ignore: decorator
@inline function blockMix3(x: usize, sx: usize, y: usize, sy: usize, z: usize, sz: usize, mode: i32): void {
  let xa: v128, xb: v128, xc: v128, xd: v128;
  let ya: v128, yb: v128, yc: v128, yd: v128;
  let za: v128, zb: v128, zc: v128, zd: v128;
  // The X1 that the second half XORs in: in the source block for FILL, written back into X for XOR.
  let hx = sx, hy = sy, hz = sz;
  if (mode == FILL) {
    xa = v128.xor(v128.load(sx, 0), v128.load(sx, 64));
    xb = v128.xor(v128.load(sx, 16), v128.load(sx, 80));
    xc = v128.xor(v128.load(sx, 32), v128.load(sx, 96));
    xd = v128.xor(v128.load(sx, 48), v128.load(sx, 112));
    ya = v128.xor(v128.load(sy, 0), v128.load(sy, 64));
    yb = v128.xor(v128.load(sy, 16), v128.load(sy, 80));
    yc = v128.xor(v128.load(sy, 32), v128.load(sy, 96));
    yd = v128.xor(v128.load(sy, 48), v128.load(sy, 112));
    za = v128.xor(v128.load(sz, 0), v128.load(sz, 64));
    zb = v128.xor(v128.load(sz, 16), v128.load(sz, 80));
    zc = v128.xor(v128.load(sz, 32), v128.load(sz, 96));
    zd = v128.xor(v128.load(sz, 48), v128.load(sz, 112));
  } else {
    hx = x;
    hy = y;
    hz = z;
    const xa1 = v128.xor(v128.load(x, 64), v128.load(sx, 64));
    v128.store(x, xa1, 64);
    xa = v128.xor(v128.xor(v128.load(x, 0), v128.load(sx, 0)), xa1);
    const xb1 = v128.xor(v128.load(x, 80), v128.load(sx, 80));
    v128.store(x, xb1, 80);
    xb = v128.xor(v128.xor(v128.load(x, 16), v128.load(sx, 16)), xb1);
    const xc1 = v128.xor(v128.load(x, 96), v128.load(sx, 96));
    v128.store(x, xc1, 96);
    xc = v128.xor(v128.xor(v128.load(x, 32), v128.load(sx, 32)), xc1);
    const xd1 = v128.xor(v128.load(x, 112), v128.load(sx, 112));
    v128.store(x, xd1, 112);
    xd = v128.xor(v128.xor(v128.load(x, 48), v128.load(sx, 48)), xd1);
    const ya1 = v128.xor(v128.load(y, 64), v128.load(sy, 64));
    v128.store(y, ya1, 64);
    ya = v128.xor(v128.xor(v128.load(y, 0), v128.load(sy, 0)), ya1);
    const yb1 = v128.xor(v128.load(y, 80), v128.load(sy, 80));
    v128.store(y, yb1, 80);
    yb = v128.xor(v128.xor(v128.load(y, 16), v128.load(sy, 16)), yb1);
    const yc1 = v128.xor(v128.load(y, 96), v128.load(sy, 96));
    v128.store(y, yc1, 96);
    yc = v128.xor(v128.xor(v128.load(y, 32), v128.load(sy, 32)), yc1);
    const yd1 = v128.xor(v128.load(y, 112), v128.load(sy, 112));
    v128.store(y, yd1, 112);
    yd = v128.xor(v128.xor(v128.load(y, 48), v128.load(sy, 48)), yd1);
    const za1 = v128.xor(v128.load(z, 64), v128.load(sz, 64));
    v128.store(z, za1, 64);
    za = v128.xor(v128.xor(v128.load(z, 0), v128.load(sz, 0)), za1);
    const zb1 = v128.xor(v128.load(z, 80), v128.load(sz, 80));
    v128.store(z, zb1, 80);
    zb = v128.xor(v128.xor(v128.load(z, 16), v128.load(sz, 16)), zb1);
    const zc1 = v128.xor(v128.load(z, 96), v128.load(sz, 96));
    v128.store(z, zc1, 96);
    zc = v128.xor(v128.xor(v128.load(z, 32), v128.load(sz, 32)), zc1);
    const zd1 = v128.xor(v128.load(z, 112), v128.load(sz, 112));
    v128.store(z, zd1, 112);
    zd = v128.xor(v128.xor(v128.load(z, 48), v128.load(sz, 48)), zd1);
  }
  for (let half: usize = 0; half < 2; half++) {
    const off: usize = half << 6;
    const px = x + off, py = y + off, pz = z + off;
    v128.store(px, xa, 0);
    v128.store(px, xb, 16);
    v128.store(px, xc, 32);
    v128.store(px, xd, 48);
    v128.store(py, ya, 0);
    v128.store(py, yb, 16);
    v128.store(py, yc, 32);
    v128.store(py, yd, 48);
    v128.store(pz, za, 0);
    v128.store(pz, zb, 16);
    v128.store(pz, zc, 32);
    v128.store(pz, zd, 48);
    // #repeat 4 -- Salsa20/8 is four double rounds; the build writes them out (see build-wasm.mjs)
    xb = qstep(xb, xa, xd, 7);
    yb = qstep(yb, ya, yd, 7);
    zb = qstep(zb, za, zd, 7);
    xc = qstep(xc, xb, xa, 9);
    yc = qstep(yc, yb, ya, 9);
    zc = qstep(zc, zb, za, 9);
    xd = qstep(xd, xc, xb, 13);
    yd = qstep(yd, yc, yb, 13);
    zd = qstep(zd, zc, zb, 13);
    xa = qstep(xa, xd, xc, 18);
    ya = qstep(ya, yd, yc, 18);
    za = qstep(za, zd, zc, 18);
    xb = i32x4.shuffle(xb, xb, 3, 0, 1, 2);
    yb = i32x4.shuffle(yb, yb, 3, 0, 1, 2);
    zb = i32x4.shuffle(zb, zb, 3, 0, 1, 2);
    xc = i32x4.shuffle(xc, xc, 2, 3, 0, 1);
    yc = i32x4.shuffle(yc, yc, 2, 3, 0, 1);
    zc = i32x4.shuffle(zc, zc, 2, 3, 0, 1);
    xd = i32x4.shuffle(xd, xd, 1, 2, 3, 0);
    yd = i32x4.shuffle(yd, yd, 1, 2, 3, 0);
    zd = i32x4.shuffle(zd, zd, 1, 2, 3, 0);
    xd = qstep(xd, xa, xb, 7);
    yd = qstep(yd, ya, yb, 7);
    zd = qstep(zd, za, zb, 7);
    xc = qstep(xc, xd, xa, 9);
    yc = qstep(yc, yd, ya, 9);
    zc = qstep(zc, zd, za, 9);
    xb = qstep(xb, xc, xd, 13);
    yb = qstep(yb, yc, yd, 13);
    zb = qstep(zb, zc, zd, 13);
    xa = qstep(xa, xb, xc, 18);
    ya = qstep(ya, yb, yc, 18);
    za = qstep(za, zb, zc, 18);
    xb = i32x4.shuffle(xb, xb, 1, 2, 3, 0);
    yb = i32x4.shuffle(yb, yb, 1, 2, 3, 0);
    zb = i32x4.shuffle(zb, zb, 1, 2, 3, 0);
    xc = i32x4.shuffle(xc, xc, 2, 3, 0, 1);
    yc = i32x4.shuffle(yc, yc, 2, 3, 0, 1);
    zc = i32x4.shuffle(zc, zc, 2, 3, 0, 1);
    xd = i32x4.shuffle(xd, xd, 3, 0, 1, 2);
    yd = i32x4.shuffle(yd, yd, 3, 0, 1, 2);
    zd = i32x4.shuffle(zd, zd, 3, 0, 1, 2);
    // #end
    xa = i32x4.add(xa, v128.load(px, 0));
    xb = i32x4.add(xb, v128.load(px, 16));
    xc = i32x4.add(xc, v128.load(px, 32));
    xd = i32x4.add(xd, v128.load(px, 48));
    ya = i32x4.add(ya, v128.load(py, 0));
    yb = i32x4.add(yb, v128.load(py, 16));
    yc = i32x4.add(yc, v128.load(py, 32));
    yd = i32x4.add(yd, v128.load(py, 48));
    za = i32x4.add(za, v128.load(pz, 0));
    zb = i32x4.add(zb, v128.load(pz, 16));
    zc = i32x4.add(zc, v128.load(pz, 32));
    zd = i32x4.add(zd, v128.load(pz, 48));
    v128.store(px, xa, 0);
    v128.store(px, xb, 16);
    v128.store(px, xc, 32);
    v128.store(px, xd, 48);
    v128.store(py, ya, 0);
    v128.store(py, yb, 16);
    v128.store(py, yc, 32);
    v128.store(py, yd, 48);
    v128.store(pz, za, 0);
    v128.store(pz, zb, 16);
    v128.store(pz, zc, 32);
    v128.store(pz, zd, 48);
    if (half == 0) {
      xa = v128.xor(xa, v128.load(hx, 64));
      xb = v128.xor(xb, v128.load(hx, 80));
      xc = v128.xor(xc, v128.load(hx, 96));
      xd = v128.xor(xd, v128.load(hx, 112));
      ya = v128.xor(ya, v128.load(hy, 64));
      yb = v128.xor(yb, v128.load(hy, 80));
      yc = v128.xor(yc, v128.load(hy, 96));
      yd = v128.xor(yd, v128.load(hy, 112));
      za = v128.xor(za, v128.load(hz, 64));
      zb = v128.xor(zb, v128.load(hz, 80));
      zc = v128.xor(zc, v128.load(hz, 96));
      zd = v128.xor(zd, v128.load(hz, 112));
    }
  }
}

// @ts-ignore: decorator
@inline function copyBlock(dst: usize, src: usize): void {
  for (let o: usize = 0; o < BLOCK_BYTES; o += 16) v128.store(dst + o, v128.load(src + o));
}

// @ts-ignore: decorator
@inline function integerify(x: usize): usize {
  return <usize>(load<u32>(x, 64) & <u32>(N - 1)) * BLOCK_BYTES;
}

function romix1(x: usize, v: usize): void {
  copyBlock(v, x);
  const last = <usize>(N - 1) * BLOCK_BYTES;
  for (let o: usize = 0; o < last; o += BLOCK_BYTES) blockMix1(v + o + BLOCK_BYTES, v + o, FILL);
  blockMix1(x, v + last, FILL);
  for (let i = 0; i < N; i++) blockMix1(x, v + integerify(x), XOR);
}

function romix3(x: usize, vx: usize, y: usize, vy: usize, z: usize, vz: usize): void {
  copyBlock(vx, x);
  copyBlock(vy, y);
  copyBlock(vz, z);
  const last = <usize>(N - 1) * BLOCK_BYTES;
  for (let o: usize = 0; o < last; o += BLOCK_BYTES) {
    blockMix3(vx + o + BLOCK_BYTES, vx + o, vy + o + BLOCK_BYTES, vy + o, vz + o + BLOCK_BYTES, vz + o, FILL);
  }
  blockMix3(x, vx + last, y, vy + last, z, vz + last, FILL);
  for (let i = 0; i < N; i++) {
    blockMix3(x, vx + integerify(x), y, vy + integerify(y), z, vz + integerify(z), XOR);
  }
}

/**
 * Hashes `count` headers (1..MAX_BATCH) from the input area into the output area, three at a time. A lone
 * header takes the one-lane path (lowest latency when idle); a pair runs three-wide with the second header
 * repeated, still cheaper than two one-lane passes.
 */
export function hashBatch(count: i32): void {
  let i = 0;
  while (i < count) {
    const left = count - i;
    if (left == 1) {
      const h = inputBase + <usize>i * 80;
      hmacSetup(lane0, h);
      pbkdf2First(lane0, h);
      romix1(lane0 + LANE_X, v0);
      pbkdf2Final(lane0, outputBase + <usize>i * 32);
      i += 1;
      continue;
    }
    const h0 = inputBase + <usize>i * 80;
    const h1 = h0 + 80;
    const h2 = left >= 3 ? h1 + 80 : h1;
    hmacSetup(lane0, h0);
    hmacSetup(lane1, h1);
    hmacSetup(lane2, h2);
    pbkdf2First(lane0, h0);
    pbkdf2First(lane1, h1);
    pbkdf2First(lane2, h2);
    romix3(lane0 + LANE_X, v0, lane1 + LANE_X, v1, lane2 + LANE_X, v2);
    pbkdf2Final(lane0, outputBase + <usize>i * 32);
    pbkdf2Final(lane1, outputBase + <usize>(i + 1) * 32);
    if (left >= 3) pbkdf2Final(lane2, outputBase + <usize>(i + 2) * 32);
    i += left >= 3 ? 3 : 2;
  }
}

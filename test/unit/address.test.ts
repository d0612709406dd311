import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressError, addressToOutputScript, canonicalAddress, isValidAddress } from '../../src/blockchain/bitcoin/address.js';
import { bech32Decode, decodeSegwitAddress } from '../../src/blockchain/bitcoin/bech32.js';
import type { NetworkParams } from '../../src/config/types.js';

const LTC_MAIN: NetworkParams = { pubKeyHash: 48, scriptHash: [50, 5], bech32: 'ltc' };
const LTC_REGTEST: NetworkParams = { pubKeyHash: 111, scriptHash: [58, 196], bech32: 'rltc' };
const BTC_MAIN: NetworkParams = { pubKeyHash: 0, scriptHash: [5], bech32: 'bc' };
const BTC_TEST: NetworkParams = { pubKeyHash: 111, scriptHash: [196], bech32: 'tb' };

function script(address: string, network: NetworkParams): string {
  return addressToOutputScript(address, network).toString('hex');
}

// Addresses and scriptPubKeys below come from Litecoin Core 0.21.2.1 (`getnewaddress`, `createmultisig`,
// `validateaddress`) on mainnet and regtest nodes, so they check us against the daemon rather than against ourselves.
describe('Litecoin addresses (vectors from litecoind validateaddress)', () => {
  const cases: [string, NetworkParams, string][] = [
    ['LcJEGCjjodtZie755XY3ZTHDsRGtjUTv47', LTC_MAIN, '76a914bb49287cfd5ed5ee452f43c154908709cf664e2a88ac'],
    ['MTTGuyfw7FpHoeCuQ4Zs456tRuFVTBs8W1', LTC_MAIN, 'a914d67d474563c727ef151516b666518a0c84c223bd87'],
    // A Bitcoin-style "3..." P2SH address: Litecoin mainnet still accepts version 5.
    ['3P14159f73E4gFr7JterCCQh9QjiTjiZrG', LTC_MAIN, 'a914e9c3dd0c07aac76179ebc76a6c78d4d67c6c160a87'],
    ['ltc1qukp8pju605gnhs5yxp9dz4xgcw83j96ll4t0fp', LTC_MAIN, '0014e58270cb9a7d113bc284304ad154c8c38f19175f'],
    [
      'ltc1qnq34hw5t3q2ptpa8as6q5nhm3dyfz82gct5mgzprk49utvck9zfsltacrm',
      LTC_MAIN,
      '002098235bba8b88141587a7ec340a4efb8b48911d48c2e9b40823b54bc5b3162893',
    ],
    [
      'ltc1peh5a2ch8qzc0rkvxhutdk94v2fklng4kdlcvtrymrsf5dpf9w3esp4aydc',
      LTC_MAIN,
      '5120cde9d562e700b0f1d986bf16db16ac526df9a2b66ff0c58c9b1c134685257473',
    ],
    ['miAbu6TFqwAKuh9qW96v2LkX4XFv6ERc6S', LTC_REGTEST, '76a9141d0f085328e846b399beea3c3f561e415727975b88ac'],
    ['QUF2bzgrS3D6J2J1Yy1UFufj1Vp2hD88n4', LTC_REGTEST, 'a91453ca5a8586ee84332483789fe2f29168c5f65f3987'],
    ['QN7fYGH81sp9MueBbGCoLgevW6Yro9L9UJ', LTC_REGTEST, 'a91410951a820ba70893f3d322089ac2bcea013332d787'],
    ['rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3', LTC_REGTEST, '0014cfdd9e7a2412c8cd1bf058a641bba37313a46c7f'],
    [
      'rltc1qnq34hw5t3q2ptpa8as6q5nhm3dyfz82gct5mgzprk49utvck9zfswa97ex',
      LTC_REGTEST,
      '002098235bba8b88141587a7ec340a4efb8b48911d48c2e9b40823b54bc5b3162893',
    ],
    [
      'rltc1peh5a2ch8qzc0rkvxhutdk94v2fklng4kdlcvtrymrsf5dpf9w3essr9zh9',
      LTC_REGTEST,
      '5120cde9d562e700b0f1d986bf16db16ac526df9a2b66ff0c58c9b1c134685257473',
    ],
  ];
  for (const [address, network, expected] of cases) {
    it(`${address} -> ${expected}`, () => {
      assert.equal(script(address, network), expected);
      assert.equal(isValidAddress(address, network), true);
    });
  }

  it('accepts an all-upper-case bech32 address', () => {
    assert.equal(
      script('RLTC1QELWEU73YZTYV6XLSTZNYRWARWVF6GMRLJR7LG3', LTC_REGTEST),
      '0014cfdd9e7a2412c8cd1bf058a641bba37313a46c7f',
    );
  });

  it('refuses MWEB addresses on mainnet and regtest with a reason naming MWEB', () => {
    const mainMweb =
      'ltcmweb1qqthjctkdge2utx02t64gstxayqmn0t48r0au6jf7k46ga0ghw0q9cqs5rdqayc7jq4nlxsguv9r2fpah87pcgjhspnxt6hrqxhqllkrm2ytfws9e';
    const testMweb =
      'tmweb1qq09s2fe8uv7d8mcndx6quvkpjwzrz9elr2qf8xmsslpc82thu46gwqj60fwnmpgrew07v55dmhp9rqqu8fuu7mnj6h4vhe0zugj4fay23ud03tm0';
    assert.throws(() => addressToOutputScript(mainMweb, LTC_MAIN), { name: 'AddressError', message: /MWEB/ });
    assert.throws(() => addressToOutputScript(testMweb, LTC_REGTEST), { name: 'AddressError', message: /MWEB/ });
    assert.equal(isValidAddress(testMweb, LTC_REGTEST), false);
  });

  it('refuses addresses of another network', () => {
    assert.throws(() => addressToOutputScript('LcJEGCjjodtZie755XY3ZTHDsRGtjUTv47', LTC_REGTEST), /version byte 48/);
    assert.throws(
      () => addressToOutputScript('ltc1qukp8pju605gnhs5yxp9dz4xgcw83j96ll4t0fp', LTC_REGTEST),
      /prefix "ltc" belongs to another network \(expected "rltc"\)/,
    );
    assert.throws(() => addressToOutputScript('rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3', LTC_MAIN), AddressError);
  });

  it('refuses a Base58 address with one character changed (checksum)', () => {
    assert.throws(() => addressToOutputScript('LcJEGCjjodtZie755XY3ZTHDsRGtjUTv48', LTC_MAIN), /checksum mismatch/);
    assert.throws(() => addressToOutputScript('LcJEGCjjodtZie755XY3ZTHDsRGtjUTv4O', LTC_MAIN), /not Base58/);
  });

  it('refuses empty and padded strings', () => {
    assert.throws(() => addressToOutputScript('', LTC_MAIN), /empty address/);
    assert.throws(() => addressToOutputScript(' LcJEGCjjodtZie755XY3ZTHDsRGtjUTv47', LTC_MAIN), /whitespace/);
    assert.throws(() => addressToOutputScript('L'.repeat(201), LTC_MAIN), /longer than 200 characters/);
  });
});

// Balances are keyed by one spelling per output script (two would make the daemon refuse a sendmany naming both).
// The script-hash twins were encoded by an independent Base58Check encoder from the hashes of the vectors above.
describe('canonical address spelling', () => {
  const cases: [string, NetworkParams, string][] = [
    // Legacy version-5 P2SH on Litecoin mainnet -> the version-50 "M..." spelling of the same script.
    ['3P14159f73E4gFr7JterCCQh9QjiTjiZrG', LTC_MAIN, 'MVDCJxZd4A5VUm81QmeC1qf6U7LASsr7LT'],
    // Regtest: legacy version 196 ("2...") -> version 58 ("Q..."), which litecoind prints.
    ['2MztGUypcQwA19qXxvryTBDEHs7NCsHUKMt', LTC_REGTEST, 'QUF2bzgrS3D6J2J1Yy1UFufj1Vp2hD88n4'],
    ['RLTC1QELWEU73YZTYV6XLSTZNYRWARWVF6GMRLJR7LG3', LTC_REGTEST, 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3'],
    // Already canonical: unchanged, including Bitcoin's only script-hash version and its leading-zero P2PKH.
    ['MVDCJxZd4A5VUm81QmeC1qf6U7LASsr7LT', LTC_MAIN, 'MVDCJxZd4A5VUm81QmeC1qf6U7LASsr7LT'],
    ['LcJEGCjjodtZie755XY3ZTHDsRGtjUTv47', LTC_MAIN, 'LcJEGCjjodtZie755XY3ZTHDsRGtjUTv47'],
    ['3P14159f73E4gFr7JterCCQh9QjiTjiZrG', BTC_MAIN, '3P14159f73E4gFr7JterCCQh9QjiTjiZrG'],
    ['1111111111111111111114oLvT2', BTC_MAIN, '1111111111111111111114oLvT2'],
  ];
  for (const [address, network, expected] of cases) {
    it(`${address} -> ${expected}, the same script`, () => {
      assert.equal(canonicalAddress(address, network), expected);
      assert.equal(script(expected, network), script(address, network));
    });
  }

  it('refuses what addressToOutputScript refuses', () => {
    assert.throws(() => canonicalAddress('MVDCJxZd4A5VUm81QmeC1qf6U7LASsr7LT', LTC_REGTEST), AddressError);
    assert.throws(() => canonicalAddress('rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7LG3', LTC_REGTEST), AddressError);
  });
});

describe('Bitcoin addresses (BIP173 / BIP350 vectors)', () => {
  const valid: [string, NetworkParams, string][] = [
    ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', BTC_MAIN, '76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac'],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', BTC_MAIN, 'a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87'],
    ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', BTC_MAIN, '0014751e76e8199196d454941c45d1b3a323f1433bd6'],
    [
      'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7',
      BTC_TEST,
      '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262',
    ],
    [
      'tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy',
      BTC_TEST,
      '0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433',
    ],
    [
      'tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c',
      BTC_TEST,
      '5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433',
    ],
    [
      'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
      BTC_MAIN,
      '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
    ],
  ];
  for (const [address, network, expected] of valid) {
    it(`${address} -> ${expected}`, () => assert.equal(script(address, network), expected));
  }

  it('decodes BIP350 future-version vectors but refuses to pay them', () => {
    const future: [string, number, string][] = [
      [
        'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
        1,
        '751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6',
      ],
      ['BC1SW50QGDZ25J', 16, '751e'],
      ['bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', 2, '751e76e8199196d454941c45d1b3a323'],
    ];
    for (const [address, version, program] of future) {
      const decoded = decodeSegwitAddress('bc', address);
      assert.equal(decoded.version, version);
      assert.equal(decoded.program.toString('hex'), program);
      assert.throws(() => addressToOutputScript(address, BTC_MAIN), /not a payable output type/);
    }
  });

  it('refuses every BIP350 invalid segwit address', () => {
    const invalid: [string, NetworkParams][] = [
      ['tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', BTC_TEST],
      ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', BTC_MAIN],
      ['tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', BTC_TEST],
      ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', BTC_MAIN],
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', BTC_MAIN],
      ['tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', BTC_TEST],
      ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', BTC_MAIN],
      ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', BTC_MAIN],
      ['bc1pw5dgrnzv', BTC_MAIN],
      ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', BTC_MAIN],
      ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', BTC_MAIN],
      ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', BTC_TEST],
      ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', BTC_MAIN],
      ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', BTC_TEST],
      ['bc1gmk9yu', BTC_MAIN],
    ];
    for (const [address, network] of invalid) {
      assert.equal(isValidAddress(address, network), false, address);
    }
  });

  it('gives the specific reason for v0 programs checksummed with bech32m', () => {
    assert.throws(
      () => addressToOutputScript('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', BTC_MAIN),
      /witness version 0 must use bech32, not bech32m/,
    );
  });
});

describe('bech32 strings (BIP173 / BIP350 checksum vectors)', () => {
  it('accepts the valid strings with the right encoding', () => {
    for (const s of ['A12UEL5L', 'a12uel5l', 'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw', '?1ezyfcl']) {
      assert.equal(bech32Decode(s).encoding, 'bech32', s);
    }
    for (const s of ['A1LQFN3A', 'a1lqfn3a', 'abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx', '?1v759aa']) {
      assert.equal(bech32Decode(s).encoding, 'bech32m', s);
    }
  });

  it('rejects malformed strings', () => {
    const bad = [
      'an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx',
      'pzry9x0s0muk',
      '1pzry9x0s0muk',
      'x1b4n0q5v',
      'li1dgmt3',
      'A1G7SGD8',
      '10a06t8',
      '1qzzfhee',
    ];
    for (const s of bad) assert.throws(() => bech32Decode(s), { name: 'Bech32Error' }, s);
  });
});

// Real mainnet block headers with their public block hashes. They anchor both the unit tests and the
// start-up self-test: a kernel that disagrees with node:crypto on any of them is never used.

export interface HeaderVector {
  readonly label: string;
  /** The 80-byte serialized header, hex. */
  readonly header: string;
  /** Block hash in RPC (display) byte order: sha256d of the header, reversed. */
  readonly blockHash: string;
  /** Compact target from the header. */
  readonly bits: number;
}

/** Bitcoin mainnet; hashes as every block explorer shows them. */
export const BITCOIN_HEADERS: readonly HeaderVector[] = Object.freeze([
  {
    label: 'bitcoin genesis',
    header:
      '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
    blockHash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    bits: 0x1d00ffff,
  },
  {
    label: 'bitcoin block 100000',
    header:
      '0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710',
    blockHash: '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506',
    bits: 0x1b04864c,
  },
]);

/** Litecoin mainnet; `powHash` is the scrypt hash in display order where a public source states it. */
export const LITECOIN_HEADERS: readonly (HeaderVector & { readonly powHash?: string })[] = Object.freeze([
  {
    label: 'litecoin genesis',
    header:
      '010000000000000000000000000000000000000000000000000000000000000000000000d9ced4ed1130f7b7faad9be25323ffafa33232a17c3edf6cfd97bee6bafbdd97b9aa8e4ef0ff0f1ecd513f7c',
    blockHash: '12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2',
    bits: 0x1e0ffff0,
  },
  {
    label: 'litecoin block 29255',
    header:
      '01000000f615f7ce3b4fc6b8f61e8f89aedb1d0852507650533a9e3b10b9bbcc30639f279fcaa86746e1ef52d3edb3c4ad8259920d509bd073605c9bf1d59983752a6b06b817bb4ea78e011d012d59d4',
    blockHash: 'adf6e2e56df692822f5e064a8b6404a05d67cccd64bc90f57f65b46805e9a54b',
    bits: 0x1d018ea7,
    powHash: '0000000110c8357966576df46f3b802ca897deb7ad18b12f1c24ecff6386ebd9',
  },
  {
    label: 'litecoin block 2000000',
    header:
      '00000020c4fbec9d43f174745899ff294bd105d74a072440f1159c59bb0ddb57fce3ff173d2eac89cebaa82bbaf56dd90b3ff78b1af22ba94e54a43cab456350d37edfd58b902760a0a4011a09ad630b',
    blockHash: '3a4d8e7c77a85554fc8bd30d4e42d56eb71010e769ea9737f16241ba79bed9c5',
    bits: 0x1a01a4a0,
  },
]);

// Which addresses the refresher keeps a snapshot and a chart history for. balances:paid only grows: snapshotting every
// address ever paid made each refresh read and rewrite tens of megabytes once a pool had tens of thousands of
// historical addresses. Only miners with something changing get a snapshot; any other address is answered on
// demand from its balances and payout list (SnapshotStore.miner), which say all there is to say about it.

/** The address part of an `address.worker` login (the recorder credits shares to the login's own address part). */
export function addressOfLogin(login: string): string {
  const dot = login.indexOf('.');
  return dot > 0 ? login.slice(0, dot) : login;
}

export interface MinerSetInput {
  /** Credited difficulty per worker login inside the hashrate window. */
  readonly window: ReadonlyMap<string, number>;
  /** The workers listed on the pages (seen within the worker retention). */
  readonly workers: readonly { readonly address: string }[];
  /** Credited difficulty per address in the open round. */
  readonly roundShares: Readonly<Record<string, number>>;
  /** Addresses holding a non-zero immature or unpaid balance. */
  readonly owed: Iterable<string>;
}

/**
 * Miners hashing in the window, with a worker listed (so a rig that stopped an hour ago still shows as offline on
 * its owner's page), with work in the open round, or owed money. Addresses that were paid and left are not in it:
 * their on-demand answer reads the same keys a snapshot would, so a snapshot would only cost a rewrite per refresh.
 */
export function minerAddresses(input: MinerSetInput): Set<string> {
  const set = new Set<string>();
  for (const [login, difficulty] of input.window) if (difficulty > 0) set.add(addressOfLogin(login));
  for (const w of input.workers) set.add(w.address);
  for (const [address, difficulty] of Object.entries(input.roundShares)) if (difficulty > 0) set.add(address);
  for (const address of input.owed) set.add(address);
  return set;
}

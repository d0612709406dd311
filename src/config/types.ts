// The resolved, validated configuration every process receives from the master.
// The zod schemas in this folder must infer exactly these shapes (a compile-time check there keeps them in step).
// Key names follow NOMP where NOMP has the same setting, so a NOMP operator recognizes the files.

export type AlgorithmName = 'sha256d' | 'scrypt';

export interface CoinConfig {
  /** Coin file name without extension, e.g. "litecoin" (the `coin` field of a pool refers to it). */
  readonly id: string;
  readonly name: string;
  readonly symbol: string;
  readonly algorithm: AlgorithmName;
  /** Ask getblocktemplate for the `mweb` rule (Litecoin 0.21+ refuses templates without it). */
  readonly mweb: boolean;
  readonly segwit: boolean;
  /** Confirmations before a coinbase can be spent. */
  readonly coinbaseMaturity: number;
  /** Network parameters per chain; the pool picks one by the daemon's chain (main, test, regtest). */
  readonly networks: Readonly<Record<'main' | 'test' | 'regtest', NetworkParams>>;
}

export interface NetworkParams {
  /** Base58 version byte of P2PKH addresses. */
  readonly pubKeyHash: number;
  /** Base58 version bytes of P2SH addresses (Litecoin accepts both its own and Bitcoin's on some chains). */
  readonly scriptHash: readonly number[];
  /** Human-readable part of bech32/bech32m addresses. */
  readonly bech32: string;
}

export interface VarDiffConfig {
  readonly minDiff: number;
  readonly maxDiff: number;
  /** Seconds between shares the pool aims for. */
  readonly targetTime: number;
  /** Seconds between difficulty re-evaluations. */
  readonly retargetTime: number;
  /** Allowed deviation from targetTime, in percent, before retargeting. */
  readonly variancePercent: number;
  /** Largest factor by which one retarget may change the difficulty. */
  readonly maxChangeFactor: number;
}

export interface PortConfig {
  readonly port: number;
  /** Starting (or fixed, without varDiff) share difficulty. */
  readonly diff: number;
  readonly varDiff: VarDiffConfig | null;
  /** Stratum over TLS: absolute paths of the PEM certificate (chain) and key; null for plain TCP. */
  readonly tls: TlsFiles | null;
}

/** PROXY protocol from trusted load balancers (schema-pool.ts). */
export interface ProxyProtocolConfig {
  readonly enabled: boolean;
  readonly trustedProxies: readonly string[];
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

export interface DaemonConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Optional wallet name, used as the /wallet/<name> RPC path for wallet calls. */
  readonly wallet: string | null;
  /** Milliseconds before one RPC call is abandoned. */
  readonly timeoutMs: number;
}

export type PaymentScheme = 'PROP' | 'PPLNS' | 'SOLO';

export interface PaymentProcessingConfig {
  readonly enabled: boolean;
  /** Seconds between payment runs. */
  readonly paymentInterval: number;
  /** Smallest payout, in the coin's base unit (litoshis/satoshis), as a decimal string. */
  readonly minimumPayment: string;
  readonly scheme: PaymentScheme;
  /** PPLNS window as a multiple of the network difficulty (ignored by other schemes). */
  readonly pplnsWindowFactor: number;
  /**
   * Entries the share log keeps (Redis trims beyond it). PPLNS needs one window of shares plus one payment interval's:
   * a big pool on a big network raises it (about 60 bytes of Redis memory per entry).
   */
  readonly shareLogMaxLength: number;
  /** Daemon (with wallet) used for payments; defaults to the pool's first daemon. */
  readonly daemon: DaemonConfig;
}

export interface BanningConfig {
  readonly enabled: boolean;
  /** Seconds a banned IP stays banned. */
  readonly time: number;
  /** Invalid share percentage that triggers a ban once checkThreshold shares were seen. */
  readonly invalidPercent: number;
  readonly checkThreshold: number;
  /** Malformed stratum lines (bad JSON, bad params) a connection may send before its IP is banned. */
  readonly malformedLimit: number;
  /** Seconds between purges of expired bans. */
  readonly purgeInterval: number;
}

export interface RewardRecipient {
  readonly address: string;
  /** Percent of the block reward, e.g. 1.5 for 1.5 %. */
  readonly percent: number;
}

export interface PoolConfig {
  /** Pool file name without extension. */
  readonly id: string;
  /** Path of the pool file, for messages. */
  readonly file: string;
  readonly enabled: boolean;
  readonly coin: CoinConfig;
  /** Which of the coin's networks the pool's addresses belong to. */
  readonly network: 'main' | 'test' | 'regtest';
  readonly address: string;
  readonly rewardRecipients: readonly RewardRecipient[];
  /** Text put into every coinbase scriptSig. */
  readonly poolTag: string;
  readonly ports: readonly PortConfig[];
  readonly daemons: readonly DaemonConfig[];
  readonly paymentProcessing: PaymentProcessingConfig;
  readonly banning: BanningConfig;
  readonly proxyProtocol: ProxyProtocolConfig;
  /** Seconds without a submitted share before a miner is disconnected. */
  readonly connectionTimeout: number;
  /** Seconds after which the current job is re-sent with a fresh template even without a new block. */
  readonly jobRebroadcastTimeout: number;
  /** Milliseconds between getblocktemplate polls (0 disables polling: blocknotify only). */
  readonly blockRefreshInterval: number;
  /** Longest accepted stratum line in bytes; a longer line closes the connection. */
  readonly maxLineBytes: number;
}

export interface RedisConfig {
  readonly host: string;
  readonly port: number;
  /** Unix socket path; host and port are ignored when set. */
  readonly socket: string | null;
  readonly password: string | null;
  readonly db: number;
  /** Prefix for every key, so several pools or tests can share one Redis. */
  readonly keyPrefix: string;
}

export interface LoggingConfig {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly json: boolean;
}

export interface WebsiteConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
}

/** An HTTP JSON price feed: one GET, each coin's price read from a dot path in the answer. */
export interface PriceSourceConfig {
  /** Name for logs. */
  readonly name: string;
  readonly url: string;
  /** Coin id -> dot path of its price in the answer, e.g. { litecoin: "litecoin.usd" }. */
  readonly prices: Readonly<Record<string, string>>;
}

/** A switching port set: miners connect once, the pool picks which of `coins` they mine. */
export interface SwitchConfig {
  readonly name: string;
  /** Coin ids (each mined by one enabled pool, all of one algorithm); the first is mined until prices say otherwise. */
  readonly coins: readonly string[];
  readonly ports: readonly PortConfig[];
}

export interface ProfitSwitchConfig {
  /** Runs the profit switcher process (switching ports run whenever switches are configured). */
  readonly enabled: boolean;
  /** Seconds between price refreshes. */
  readonly updateInterval: number;
  /** Percent by which another coin must beat the current one before a switch is considered. */
  readonly marginPercent: number;
  /** Seconds another coin must keep beating the current one by the margin before miners are moved. */
  readonly holdTime: number;
  /** Deadline of one price request, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Extra attempts after a failed price request. */
  readonly retries: number;
  /** Sources in order of preference: a coin's price comes from the first source that has it. */
  readonly priceSources: readonly PriceSourceConfig[];
  readonly switches: readonly SwitchConfig[];
}

export interface ClusteringConfig {
  readonly enabled: boolean;
  /** Resolved number of pool worker processes ("auto" becomes the CPU count). */
  readonly forks: number;
}

export interface MetricsConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
}

export interface TelegramConfig {
  readonly botToken: string;
  /** Chat (user, group or channel) the bot posts to, as Telegram names it ("-100123..." or "@channel"). */
  readonly chatId: string;
  /** Bot API base URL, without the /bot<token> part (tests point it at a local server). */
  readonly apiBaseUrl: string;
  /** Milliseconds before one API call is abandoned. */
  readonly timeoutMs: number;
}

export interface WebhookConfig {
  /** Receives a JSON POST per alert change (firing / resolved) and per notice. */
  readonly url: string;
  readonly timeoutMs: number;
}

export interface AlertsConfig {
  readonly enabled: boolean;
  /** Seconds between evaluations (the master evaluates, under a Redis lock shared with other instances). */
  readonly evaluateInterval: number;
  /** Seconds after a worker's last valid share before it is reported offline. */
  readonly workerOfflineAfter: number;
  /** Seconds after a worker's last valid share after which it is no longer tracked (gone for good). */
  readonly workerForgetAfter: number;
  /** Notice when a pool's hashrate over the last workerOfflineAfter seconds falls below this many hashes/s (0: off). */
  readonly minPoolHashrate: number;
  readonly telegram: TelegramConfig | null;
  readonly webhooks: readonly WebhookConfig[];
}

export interface HashingConfig {
  /** "fast": the WebAssembly kernels where they pass their start-up self-test; "reference": node:crypto only. */
  readonly kernel: 'fast' | 'reference';
  /**
   * Worker threads per pool worker process that hash shares off the event loop (0: hash on the event loop).
   * Worth it when pool worker forks are fewer than cores.
   */
  readonly threads: number;
}

export interface GlobalConfig {
  /** Identifies this Headframe instance among others sharing one Redis (part of every extranonce1). */
  readonly instanceId: number;
  readonly logging: LoggingConfig;
  readonly redis: RedisConfig;
  readonly cliHost: string;
  readonly cliPort: number;
  /** Shared secret every CLI request must carry (null: none; keep the listener on loopback then). */
  readonly cliSecret: string | null;
  readonly clustering: ClusteringConfig;
  readonly website: WebsiteConfig;
  readonly metrics: MetricsConfig;
  readonly alerts: AlertsConfig;
  readonly profitSwitch: ProfitSwitchConfig;
  readonly hashing: HashingConfig;
  /** Milliseconds the master waits for children to exit on shutdown before killing them. */
  readonly shutdownTimeoutMs: number;
}

export interface ResolvedConfig {
  /** Directory the configuration was read from. */
  readonly configDir: string;
  readonly global: GlobalConfig;
  readonly coins: readonly CoinConfig[];
  /** Every pool file, enabled or not. */
  readonly pools: readonly PoolConfig[];
}

/** Outcome of loading a config directory: every problem at once as `file: path.to.field: reason`. */
export type LoadResult =
  | { readonly ok: true; readonly config: ResolvedConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

// The daemon layer's public surface: one client per daemon, a failover set per pool, coded errors, answer types.
export { RpcClient, type CallOptions, type RequestInfo, type RpcClientOptions } from './rpc-client.js';
export {
  DaemonSet,
  type DaemonAnswer,
  type DaemonHealth,
  type DaemonSetEvent,
  type DaemonSetOptions,
} from './daemon-set.js';
export {
  DaemonError,
  RpcErrorCode,
  isDaemonError,
  isRpcError,
  isUnavailable,
  type DaemonErrorCode,
} from './errors.js';
export * from './rpc-types.js';

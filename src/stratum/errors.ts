// Stratum v1 error codes as miners and pool checkers expect them (see design/protocol.md).

export const StratumErrorCode = {
  Other: 20,
  JobNotFound: 21,
  Duplicate: 22,
  LowDifficulty: 23,
  Unauthorized: 24,
  NotSubscribed: 25,
} as const;

export type StratumErrorCode = (typeof StratumErrorCode)[keyof typeof StratumErrorCode];

/** The `error` member of an answer: `[code, message, traceback]`, traceback always null. */
export type StratumErrorTuple = readonly [StratumErrorCode, string, null];

export function stratumError(code: StratumErrorCode, message: string): StratumErrorTuple {
  return [code, message, null];
}

// Frozen singletons for the answers sent most often, so the hot paths allocate nothing for them.
export const ERR_INVALID_JSON = Object.freeze(stratumError(StratumErrorCode.Other, 'Invalid JSON'));
export const ERR_NOT_OBJECT = Object.freeze(stratumError(StratumErrorCode.Other, 'Request must be a JSON object'));
export const ERR_BAD_METHOD = Object.freeze(stratumError(StratumErrorCode.Other, 'Method must be a string'));
export const ERR_BAD_ID = Object.freeze(stratumError(StratumErrorCode.Other, 'Id must be a number, a string or null'));
export const ERR_UNAUTHORIZED = Object.freeze(stratumError(StratumErrorCode.Unauthorized, 'Unauthorized worker'));
export const ERR_NOT_SUBSCRIBED = Object.freeze(stratumError(StratumErrorCode.NotSubscribed, 'Not subscribed'));
export const ERR_INTERNAL = Object.freeze(stratumError(StratumErrorCode.Other, 'Internal error'));

/** Longest method name echoed back in "Unsupported method", so a hostile name cannot inflate the answer. */
const MAX_ECHOED_METHOD = 64;

export function unsupportedMethod(method: string): StratumErrorTuple {
  const shown = method.length > MAX_ECHOED_METHOD ? `${method.slice(0, MAX_ECHOED_METHOD)}...` : method;
  return stratumError(StratumErrorCode.Other, `Unsupported method ${shown}`);
}

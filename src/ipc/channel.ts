// Typed send/receive over a Node IPC channel (the cluster worker's `process` in a child, a `Worker` in the master).
// Sending never throws: a child may die between the check and the write, and a lost message to a dead child is
// expected (the supervisor learns about the death from the exit event, not from a failed send).
import type { MessageOptions, Serializable } from 'node:child_process';
import type { ChildToMaster, MasterToChild, Parsed, Untagged } from './messages.js';
import { parseChildToMaster, parseMasterToChild } from './messages.js';

/** The part of `process` / cluster `Worker` the helpers use. */
export interface IpcEndpoint {
  send?: ((message: Serializable, sendHandle: undefined, options: MessageOptions, callback: (error: Error | null) => void) => boolean) | undefined;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

export type InvalidMessageHandler = (reason: string) => void;

export interface TypedChannel<In, Out> {
  send(message: Untagged<Out>): boolean;
  /** Registers a listener for our messages; returns a function that removes it. */
  onMessage(listener: (message: In) => void): () => void;
}

function makeChannel<In, Out>(
  endpoint: IpcEndpoint,
  parse: (raw: unknown) => Parsed<In>,
  isConnected: () => boolean,
  onInvalid: InvalidMessageHandler,
): TypedChannel<In, Out> {
  return {
    send(message) {
      if (!endpoint.send || !isConnected()) return false;
      try {
        // The callback keeps a write to a just-closed channel from becoming an 'error' event.
        return endpoint.send({ ...message, hf: 1 }, undefined, {}, () => undefined);
      } catch {
        return false;
      }
    },
    onMessage(listener) {
      const handler = (raw: unknown): void => {
        const parsed = parse(raw);
        if (parsed.kind === 'ours') listener(parsed.message);
        else if (parsed.kind === 'invalid') onInvalid(parsed.reason);
      };
      endpoint.on('message', handler);
      return () => {
        endpoint.off('message', handler);
      };
    },
  };
}

/** The child's side: messages from the master in, messages to the master out. */
export type ChildIpc = TypedChannel<MasterToChild, ChildToMaster>;
/** The master's side of one child. */
export type MasterIpc = TypedChannel<ChildToMaster, MasterToChild>;

export function createChildIpc(endpoint: IpcEndpoint, onInvalid: InvalidMessageHandler): ChildIpc {
  return makeChannel(endpoint, parseMasterToChild, () => endpoint.connected !== false, onInvalid);
}

export function createMasterIpc(
  endpoint: IpcEndpoint,
  isConnected: () => boolean,
  onInvalid: InvalidMessageHandler,
): MasterIpc {
  return makeChannel(endpoint, parseChildToMaster, isConnected, onInvalid);
}

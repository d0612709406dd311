// Messages between the hash pool and its worker threads.

export interface WorkerInit {
  readonly algorithm: string;
  readonly prefer: 'fast' | 'reference';
}

/** A batch: `count` headers of 80 bytes end to end (the ArrayBuffer is transferred, not copied). */
export interface WorkerRequest {
  readonly id: number;
  readonly count: number;
  readonly headers: ArrayBuffer;
}

export type WorkerReply =
  | { readonly type: 'ready'; readonly kernel: string; readonly warnings: readonly string[] }
  | { readonly type: 'done'; readonly id: number; readonly hashes: ArrayBuffer }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

// Wire lines the server writes. Answers always carry `"error": null` on success (NiceHash's checker insists).
import type { JobNotification } from '../mining/types.js';
import type { StratumErrorTuple } from './errors.js';

export type RequestId = string | number | null;

function idJson(id: RequestId): string {
  return typeof id === 'number' ? String(id) : JSON.stringify(id);
}

export function resultLine(id: RequestId, result: unknown): string {
  if (result === true) return `{"id":${idJson(id)},"result":true,"error":null}\n`;
  return `{"id":${idJson(id)},"result":${JSON.stringify(result ?? null)},"error":null}\n`;
}

export function errorLine(id: RequestId, error: StratumErrorTuple): string {
  return `{"id":${idJson(id)},"result":null,"error":${JSON.stringify(error)}}\n`;
}

export function setDifficultyLine(difficulty: number): string {
  return `{"id":null,"method":"mining.set_difficulty","params":[${JSON.stringify(difficulty)}]}\n`;
}

/** The mining.notify line for a job, serialized once and written to every miner as is. */
export function notifyLine(job: JobNotification, forceClean: boolean): string {
  let params = job.params;
  if (forceClean && params[8] !== true) {
    // A newly authorized miner holds no earlier work for this block, so it must start on this job at once.
    const copy = params.slice();
    copy[8] = true;
    params = copy;
  }
  return `{"id":null,"method":"mining.notify","params":${JSON.stringify(params)}}\n`;
}

// The new-block path: one job to thousands of miners within milliseconds.
import type { JobNotification } from '../mining/types.js';
import type { Connection } from './connection.js';
import { notifyLine, setDifficultyLine } from './messages.js';

/**
 * Writes `job` to every subscribed and authorized connection. The notify line is serialized and encoded once
 * for all of them; a set_difficulty line goes only to miners whose difficulty changed since they were last told.
 */
export function broadcastToReady(connections: Iterable<Connection>, job: JobNotification): number {
  // Encoded once: a shared Buffer is written as is, where a string would be re-encoded for every socket.
  const line = Buffer.from(notifyLine(job, false), 'utf8');
  let diffLines: Map<number, Buffer> | null = null;
  let written = 0;
  for (const conn of connections) {
    const session = conn.session;
    if (!session.ready || conn.closed) continue;
    written++;
    session.recordJob(job.jobId, session.difficulty);
    if (session.sentDifficulty === session.difficulty) {
      conn.write(line);
      continue;
    }
    diffLines ??= new Map();
    let diffLine = diffLines.get(session.difficulty);
    if (diffLine === undefined) {
      diffLine = Buffer.from(setDifficultyLine(session.difficulty), 'utf8');
      diffLines.set(session.difficulty, diffLine);
    }
    session.sentDifficulty = session.difficulty;
    conn.socket.cork();
    conn.write(diffLine);
    conn.write(line);
    conn.socket.uncork();
  }
  return written;
}

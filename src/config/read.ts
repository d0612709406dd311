// Reading config files: JSON5 text -> plain data, or a problem naming the file and the line.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSON5 from 'json5';
import type { Problem } from './issues.js';

export type ReadResult = { ok: true; data: unknown } | { ok: false; problem: Problem };

interface Json5SyntaxError extends SyntaxError {
  lineNumber?: number;
  columnNumber?: number;
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unknown error';
}

/** `file` is relative to `dir` and is what problems name. */
export async function readJson5(dir: string, file: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    const reason = errorCode(err) === 'ENOENT' ? 'file not found' : `cannot read file (${errorCode(err)})`;
    return { ok: false, problem: { file, path: [], reason } };
  }
  try {
    return { ok: true, data: JSON5.parse(text) };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const syntax = err as Json5SyntaxError;
    const detail = syntax.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    const where = syntax.lineNumber !== undefined ? `line ${syntax.lineNumber}, column ${syntax.columnNumber ?? 0}` : '';
    return { ok: false, problem: { file, path: where ? [where] : [], reason: `syntax error: ${detail}` } };
  }
}

/**
 * Sorted `*.json` names in `dir/sub`; a missing folder is simply empty (the caller decides whether that is fine), an
 * unreadable one a problem. Symbolic links count as files (Kubernetes mounts every ConfigMap key as one; a link that
 * leads nowhere is then reported as a file not found).
 */
export async function listJsonFiles(dir: string, sub: string, problems: Problem[]): Promise<string[]> {
  try {
    const entries = await readdir(join(dir, sub), { withFileTypes: true });
    return entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.json'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') problems.push({ file: sub, path: [], reason: `cannot read folder (${errorCode(err)})` });
    return [];
  }
}

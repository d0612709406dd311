// Turns zod issues into our own one-line reasons: short, stable, and phrased for an operator editing a file.
import type { z } from 'zod';

/** One problem before it is rendered as `file: path: reason`. */
export interface Problem {
  readonly file: string;
  readonly path: readonly PropertyKey[];
  readonly reason: string;
}

export function formatProblem(problem: Problem): string {
  const path = problem.path.map(String).join('.');
  return path ? `${problem.file}: ${path}: ${problem.reason}` : `${problem.file}: ${problem.reason}`;
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

type RawIssue = z.core.$ZodRawIssue;

/** Per-parse error map: schema-level messages win over it, so fields with a custom reason keep theirs. */
export function reasonFor(issue: RawIssue): string {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false);
    case 'too_big':
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false);
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return 'has the wrong format';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'has the wrong type';
    default:
      return 'is invalid';
  }
}

function tooSmall(origin: string, min: number, inclusive: boolean): string {
  if (origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
  if (origin === 'array' || origin === 'set') return min === 1 ? 'must not be empty' : `needs at least ${min} entries`;
  if (!inclusive && min === 0) return 'must be a positive number';
  return inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
}

function tooBig(origin: string, max: number, inclusive: boolean): string {
  if (origin === 'string') return `must be at most ${max} characters`;
  if (origin === 'array' || origin === 'set') return `must have at most ${max} entries`;
  return inclusive ? `must be at most ${max}` : `must be less than ${max}`;
}

/** Parses with our reasons; one `unrecognized_keys` issue becomes one problem per key, so each typo gets a line. */
export function parseWithProblems<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
): { ok: true; value: z.output<S> } | { ok: false; problems: Problem[] } {
  const result = schema.safeParse(data, { error: reasonFor });
  if (result.success) return { ok: true, value: result.data };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ file, path: [...issue.path, key], reason: 'unknown key' });
    } else {
      problems.push({ file, path: issue.path, reason: issue.message });
    }
  }
  return { ok: false, problems };
}

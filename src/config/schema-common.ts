// Building blocks shared by the config.json, coin and pool schemas.
import { z } from 'zod';

/** Schema-level reason that still says "required" when the key is missing altogether. */
export function reason(text: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'required' : text);
}

export const portNumber = z
  .number({ error: reason('must be a port number between 1 and 65535') })
  .int({ error: 'must be a port number between 1 and 65535' })
  .min(1, { error: 'must be a port number between 1 and 65535' })
  .max(65535, { error: 'must be a port number between 1 and 65535' });

export const positiveNumber = z.number().positive({ error: 'must be a positive number' });
export const positiveInt = z.int().positive({ error: 'must be a positive integer' });
export const nonNegativeInt = z.int().min(0, { error: 'must be zero or a positive integer' });
export const host = z.string().min(1, { error: 'must not be empty' });

/** Percent of something, strictly between 0 and 100 (0 % makes no sense, 100 % leaves nothing). */
export const percent = z
  .number()
  .gt(0, { error: 'must be greater than 0' })
  .max(100, { error: 'must be at most 100' });

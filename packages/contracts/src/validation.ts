import type { z } from 'zod';
import { ForgeError } from './errors.js';

/** One line per issue, each naming the field path, e.g. `origin.kind: Invalid option`. */
export function describeIssues(error: z.ZodError, root = ''): string[] {
  return error.issues.map((issue) => {
    const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(root)'}: ${issue.message}`;
  });
}

/**
 * Parses `value` with `schema` or throws a BAD_INPUT ForgeError whose message names every
 * offending field. `what` says what was being parsed ("task envelope", "config").
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  root = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, root);
  throw new ForgeError('BAD_INPUT', `invalid ${what}: ${issues.join('; ')}`, {
    retryable: false,
    details: { issues },
  });
}

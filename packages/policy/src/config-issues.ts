import type { z } from 'zod';
import type { ConfigIssue } from './config-cross-checks.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Formats a field path the way a person finds it in the file: `budgets.perAgent.scout.usd`,
 * `rules[2].tier.atLeast`, `routes["compliance.review"].tier` (keys with dots or colons quoted).
 */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || '(root)';
}

/**
 * Turns zod issues into config issues a person can act on: one per unknown field, the reason a
 * record key is invalid, and for a value that may be one item or a list, the reason from the
 * branch that matched its type. Messages never quote the offending value (it may be a secret).
 */
export function configIssuesFromZod(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) => fromIssue(issue, []));
}

function fromIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[]): ConfigIssue[] {
  const path = [...prefix, ...issue.path].map((p) => (typeof p === 'symbol' ? String(p) : p));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown field' }));
    case 'invalid_key':
      return [{ path, message: `invalid key: ${issue.issues.map((i) => i.message).join('; ')}` }];
    case 'invalid_union': {
      // A one-or-many value: report the branch whose type matched (its issues are deeper than a
      // type mismatch at the value itself); if none did, the union's own message says it all.
      const branch = issue.errors.find(
        (issues) => !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      if (branch && branch.length > 0) return branch.flatMap((inner) => fromIssue(inner, path));
      return [{ path, message: 'expected one value or a list of them' }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();
/** Texts are per schema and per filter combination: a bounded set, but never let it grow unbounded. */
const MAX_NAMES = 10_000;

/**
 * A statement as a named prepared statement: pg parses it once per connection (Parse is sent
 * only the first time) and Postgres may keep a generic plan after a few runs, instead of parsing
 * and planning the text on every call. The name is a digest of the text, so the same text always
 * has the same name and two texts never share one.
 */
export function named(text: string, values?: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `forge_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return values === undefined ? { name, text } : { name, text, values };
}

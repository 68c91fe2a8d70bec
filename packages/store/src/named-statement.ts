import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();
/** Texts are per schema and per filter combination: a bounded set, but never let it grow unbounded. */
const MAX_NAMES = 10_000;

/**
 * A statement as a named prepared statement: pg parses it once per connection (Parse is sent
 * only the first time) and Postgres may keep a generic plan after a few runs, instead of parsing
 * and planning the text on every call. The name is what the statement does and a digest of its
 * text (`forge_update_tasks_<digest>`), so the same text always has the same name, two texts never
 * share one, and a trace's `pg.query:<name>` span still says what ran.
 */
export function named(text: string, values?: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `forge_${statementLabel(text)}_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return values === undefined ? { name, text } : { name, text, values };
}

/** The statement's verb and first table (`update_tasks`, `select_routing_decisions`), for people. */
export function statementLabel(text: string): string {
  const verb = /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? 'query';
  const table = /\b(?:from|into|update)\s+(?:"?\w+"?\.)?"?(\w+)"?/i.exec(text)?.[1]?.toLowerCase();
  return (table ? `${verb}_${table}` : verb).slice(0, 34);
}

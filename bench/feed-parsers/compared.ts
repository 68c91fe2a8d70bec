import {
  canonicalLink,
  collapseWhitespace,
  decodeEntities,
  htmlToText,
  parseFeedDate,
} from '@forge/service-scout';

/**
 * What every parser's output is turned into before it is checked: the fields the scout keeps.
 * The same normalisers (canonical links, plain text, feed dates) run on every parser's raw
 * strings, so the comparison measures parsing (XML, entities, formats, namespaces), not them.
 */
export interface ComparedEntry {
  title: string | null;
  link: string | null;
  published: string | null;
  summary: string | null;
  author: string | null;
  categories: string[];
  media: string | null;
}

export interface ComparedDocument {
  format: 'rss' | 'rdf' | 'atom' | 'json';
  title: string | null;
  entries: ComparedEntry[];
}

/** One parser under comparison: feed text (already decoded) and its URL in, the document out. */
export interface ParserUnderTest {
  readonly name: string;
  readonly version: string;
  parse(text: string, feedUrl: string): ComparedDocument;
}

/** Text that may carry escaped markup: markup stripped when present, entities decoded, spaces collapsed. */
export function plainText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = /<[A-Za-z/!]/.test(value) ? htmlToText(value) : collapseWhitespace(decodeEntities(value));
  return text || null;
}

export function link(value: string | null | undefined, base: string | undefined): string | null {
  return value ? canonicalLink(value, base) : null;
}

/** A parser's date (a Date, or a string it left raw) as ISO UTC; strings go through the scout's reader. */
export function date(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string') return parseFeedDate(value);
  return null;
}

/** Reads a nested field of an untyped parser result. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFeedBody } from '@forge/service-scout';
import { z } from 'zod';
import type { ComparedDocument, ComparedEntry, ParserUnderTest } from './compared.js';

/** The corpus the scout's own tests read too. */
export const CORPUS_DIR = fileURLToPath(new URL('../../services/scout/test/corpus/', import.meta.url));

const ItemExpectation = z
  .object({
    title: z.string().nullable(),
    link: z.string().nullable(),
    published: z.string().nullable(),
    author: z.string(),
    categories: z.array(z.string()),
    summaryIncludes: z.string(),
    media: z.string(),
  })
  .partial();

const FeedExpectation = z.object({
  shape: z.string(),
  feedUrl: z.url(),
  rejects: z.boolean().optional(),
  format: z.enum(['rss', 'rdf', 'atom', 'json']).optional(),
  title: z.string().optional(),
  items: z.array(ItemExpectation).default([]),
});

const Expectations = z.object({ feeds: z.record(z.string(), FeedExpectation) });

export interface CorpusFeed {
  file: string;
  text: string;
  expect: z.infer<typeof FeedExpectation>;
}

/** Every corpus file with its expectation; a file without one (or the reverse) is an error. */
export function loadCorpus(): CorpusFeed[] {
  const { feeds } = Expectations.parse(JSON.parse(readFileSync(join(CORPUS_DIR, 'expected.json'), 'utf8')));
  const files = readdirSync(CORPUS_DIR).filter((f) => f !== 'expected.json');
  const missing = files.filter((f) => !(f in feeds));
  const extra = Object.keys(feeds).filter((f) => !files.includes(f));
  if (missing.length || extra.length)
    throw new Error(`corpus and expected.json differ: no expectation for ${missing}; no file for ${extra}`);
  return files.sort().map((file) => ({
    file,
    // Bytes decoded the way the scout's fetcher decodes them, for every parser alike.
    text: decodeFeedBody(readFileSync(join(CORPUS_DIR, file))),
    expect: feeds[file]!,
  }));
}

export interface FeedScore {
  file: string;
  passed: number;
  total: number;
  /** The checks that failed, `what: expected … got …`. */
  misses: string[];
}

const FIELDS = ['title', 'link', 'published', 'author', 'categories', 'media'] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkEntry(
  expect: z.infer<typeof ItemExpectation>,
  got: ComparedEntry | undefined,
  where: string,
  score: FeedScore,
): void {
  const check = (what: string, ok: boolean, expected: unknown, actual: unknown) => {
    score.total++;
    if (ok) score.passed++;
    else
      score.misses.push(
        `${where}.${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
      );
  };
  for (const field of FIELDS) {
    if (!(field in expect)) continue;
    const actual = got?.[field];
    check(field, got !== undefined && same(actual, expect[field]), expect[field], actual);
  }
  if (expect.summaryIncludes !== undefined) {
    const summary = got?.summary ?? null;
    check(
      'summary',
      summary?.includes(expect.summaryIncludes) === true,
      `…${expect.summaryIncludes}…`,
      summary,
    );
  }
}

/**
 * Checks one parser on one feed: it parses (or, for a non-feed, refuses), the format, the feed's
 * title, the item count, and every field each expected item names. One point per check.
 */
export function scoreFeed(parser: ParserUnderTest, feed: CorpusFeed): FeedScore {
  const score: FeedScore = { file: feed.file, passed: 0, total: 0, misses: [] };
  const { expect } = feed;
  let doc: ComparedDocument | null = null;
  let failure: string | null = null;
  try {
    doc = parser.parse(feed.text, expect.feedUrl);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  score.total++;
  if (expect.rejects) {
    if (doc === null) score.passed++;
    else score.misses.push(`accepted a non-feed as ${doc.format} with ${doc.entries.length} items`);
    return score;
  }
  if (doc === null) {
    score.misses.push(`threw: ${failure?.slice(0, 160)}`);
    // Every other check of the feed fails with it.
    const rest = 3 + expect.items.reduce((n, i) => n + Object.keys(i).length, 0);
    score.total += rest;
    return score;
  }
  score.passed++;
  const check = (what: string, ok: boolean, expected: unknown, actual: unknown) => {
    score.total++;
    if (ok) score.passed++;
    else score.misses.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  check('format', doc.format === expect.format, expect.format, doc.format);
  check('title', doc.title === expect.title, expect.title, doc.title);
  check('items', doc.entries.length === expect.items.length, expect.items.length, doc.entries.length);
  for (const [i, item] of expect.items.entries()) checkEntry(item, doc.entries[i], `items[${i}]`, score);
  return score;
}

import { readdirSync, readFileSync } from 'node:fs';
import { isForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { decodeFeedBody } from './feed-body.js';
import { readFeedText } from './feed-reader.js';

/**
 * The corpus of real-world feed shapes (test/corpus, expectations in expected.json) that chose the
 * parser: `pnpm bench feed-parsers` compares it with another maintained parser. Every expectation
 * holds for the scout's reader except the one feed listed in KNOWN_MISSES, which it refuses.
 */
const DIR = new URL('../../test/corpus/', import.meta.url);

interface ItemExpectation {
  title?: string | null;
  link?: string | null;
  published?: string | null;
  author?: string;
  categories?: string[];
  summaryIncludes?: string;
  media?: string;
}
interface FeedExpectation {
  shape: string;
  feedUrl: string;
  rejects?: boolean;
  format?: string;
  title?: string;
  items?: ItemExpectation[];
}

const { feeds } = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as {
  feeds: Record<string, FeedExpectation>;
};

/** A feed cut off mid-item: feedsmith refuses the document whole (the scout retries next run). */
const KNOWN_MISSES = new Set(['rss20-truncated.xml']);

const text = (file: string) => decodeFeedBody(readFileSync(new URL(file, DIR)));

describe('feed corpus', () => {
  it('has an expectation for every file and a file for every expectation', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'expected.json');
    expect(files.sort()).toEqual(Object.keys(feeds).sort());
  });

  const readable = Object.entries(feeds).filter(([file, e]) => !e.rejects && !KNOWN_MISSES.has(file));
  it.each(readable)('reads %s', (file, expected) => {
    const doc = readFeedText(text(file), expected.feedUrl);
    expect({ format: doc.format, title: doc.title, count: doc.entries.length }).toEqual({
      format: expected.format,
      title: expected.title,
      count: expected.items?.length ?? 0,
    });
    for (const [i, item] of (expected.items ?? []).entries()) {
      const entry = doc.entries[i]!;
      const { summaryIncludes, ...fields } = item;
      expect(entry, `${file} items[${i}]`).toMatchObject(fields);
      if (summaryIncludes !== undefined)
        expect(entry.summary, `${file} items[${i}]`).toContain(summaryIncludes);
    }
  });

  const refused = Object.entries(feeds).filter(([file, e]) => e.rejects || KNOWN_MISSES.has(file));
  it.each(refused)('refuses %s with BAD_INPUT saying why', (file, expected) => {
    let error: unknown;
    try {
      readFeedText(text(file), expected.feedUrl);
    } catch (caught) {
      error = caught;
    }
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/^not an RSS, Atom or JSON feed: /);
  });
});

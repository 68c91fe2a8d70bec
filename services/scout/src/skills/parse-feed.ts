import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type FeedEntry, readFeedText } from '../feed/feed-reader.js';
import { truncateText } from '../feed/html-text.js';

/** Largest feed document accepted, in UTF-16 code units (about 10 MB of ASCII). */
export const MAX_FEED_CHARS = 10_000_000;

const ContentHash = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a 64-character hex SHA-256')
  .transform((h) => h.toLowerCase());

export const ParseFeedInput = z.object({
  /** The feed document as fetched: RSS 0.9x/2.0, RSS 0.90/1.0 (RDF), Atom 0.3/1.0 or JSON Feed. */
  xml: z.string().min(1).max(MAX_FEED_CHARS),
  /** The URL the feed was fetched from; relative links resolve against it. */
  feedUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Hashes already stored by the caller; matching items are counted, not returned. */
  seenHashes: z.array(ContentHash).max(100_000).default([]),
  /** At most this many new items are returned, in feed order; the rest are counted as overLimit. */
  maxItems: z.number().int().positive().max(2000).default(200),
  /** Summaries are cut to this many code points at a word boundary. */
  summaryMaxChars: z.number().int().min(20).max(10_000).default(400),
});
export type ParseFeedInput = z.input<typeof ParseFeedInput>;

export const FeedItem = z.object({
  /** SHA-256 (hex) of the item's identity: its canonical link, else its guid, else title and summary. */
  hash: z.string().length(64),
  title: z.string().nullable(),
  link: z.string().nullable(),
  guid: z.string().nullable(),
  published: z.iso.datetime().nullable(),
  summary: z.string().nullable(),
  author: z.string().nullable(),
  categories: z.array(z.string()),
  /** The first enclosure, attachment or media URL, or null. */
  media: z.string().nullable(),
});
export type FeedItem = z.infer<typeof FeedItem>;

export const ParseFeedOutput = z.object({
  feed: z.object({
    format: z.enum(['rss', 'rdf', 'atom', 'json']),
    title: z.string().nullable(),
    link: z.string().nullable(),
  }),
  /** New items only: not seen before and first of their hash in this batch. */
  items: z.array(FeedItem),
  counts: z.object({
    /** Entries in the document. */
    total: z.number().int().nonnegative(),
    /** Entries returned in `items`. */
    new: z.number().int().nonnegative(),
    duplicateInBatch: z.number().int().nonnegative(),
    alreadySeen: z.number().int().nonnegative(),
    /** Entries with no title, link, guid or summary: nothing to identify or show. */
    skipped: z.number().int().nonnegative(),
    /** New entries past `maxItems`. */
    overLimit: z.number().int().nonnegative(),
  }),
});
export type ParseFeedOutput = z.infer<typeof ParseFeedOutput>;

/**
 * The stable identity of an entry. The link wins because the same story reaches us through
 * several feeds with different guids; a link equal to the feed's home page identifies nothing
 * (some feeds point every item there), so the guid is used instead.
 */
function identity(entry: FeedEntry, feedLink: string | null): string | null {
  if (entry.link && entry.link !== feedLink) return `link\n${entry.link}`;
  if (entry.guid) return `guid\n${entry.guid}`;
  if (entry.link) return `link\n${entry.link}\n${entry.title ?? ''}`;
  if (entry.title || entry.summary)
    return `text\n${(entry.title ?? '').toLowerCase()}\n${entry.summary ?? ''}`;
  return null;
}

/** The content hash a caller stores to recognise an entry on the next fetch. */
export function contentHash(identityText: string): string {
  return createHash('sha256').update(identityText, 'utf8').digest('hex');
}

/**
 * Parses a feed, normalises its entries and de-duplicates them by content hash within the
 * batch and against `seenHashes`. Pure and deterministic: the same input gives the same
 * output. Malformed XML or a non-feed document throws BAD_INPUT naming the problem.
 */
export function parseFeed(rawInput: ParseFeedInput): ParseFeedOutput {
  const input = ParseFeedInput.parse(rawInput);
  const doc = readFeedText(input.xml, input.feedUrl);
  const seen = new Set(input.seenHashes);
  const inBatch = new Set<string>();
  const counts = {
    total: doc.entries.length,
    new: 0,
    duplicateInBatch: 0,
    alreadySeen: 0,
    skipped: 0,
    overLimit: 0,
  };
  const items: FeedItem[] = [];
  for (const entry of doc.entries) {
    const id = identity(entry, doc.link);
    if (id === null) {
      counts.skipped++;
      continue;
    }
    const hash = contentHash(id);
    if (inBatch.has(hash)) {
      counts.duplicateInBatch++;
      continue;
    }
    inBatch.add(hash);
    if (seen.has(hash)) {
      counts.alreadySeen++;
      continue;
    }
    if (items.length >= input.maxItems) {
      counts.overLimit++;
      continue;
    }
    items.push({
      hash,
      title: entry.title,
      link: entry.link,
      guid: entry.guid,
      published: entry.published,
      summary: entry.summary === null ? null : truncateText(entry.summary, input.summaryMaxChars),
      author: entry.author,
      categories: [...new Set(entry.categories)],
      media: entry.media,
    });
  }
  counts.new = items.length;
  return { feed: { format: doc.format, title: doc.title, link: doc.link }, items, counts };
}

/** `scout.parse-feed`: RSS/Atom text in, new normalised items out. Plain code, $0. */
export const parseFeedSkill = {
  id: 'parse-feed',
  name: 'Parse feed',
  description:
    'Parses RSS, RDF, Atom or JSON Feed, normalises items (canonical links, ISO dates, plain-text ' +
    'summaries) and drops items already seen, by content hash.',
  tags: ['rss', 'atom', 'dedupe'],
  examples: [
    '{"xml": "<rss version=\\"2.0\\"><channel>...</channel></rss>", "feedUrl": "https://news.example.com/rss", "seenHashes": []}',
  ],
  tier: 'tool' as const,
  input: ParseFeedInput,
  output: ParseFeedOutput,
  handler: async (input: z.output<typeof ParseFeedInput>): Promise<ParseFeedOutput> => parseFeed(input),
};

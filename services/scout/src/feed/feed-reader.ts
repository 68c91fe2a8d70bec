import { ForgeError } from '@forge/contracts';
import { XMLValidator } from 'fast-xml-parser';
import { parseFeed as parseWithFeedsmith } from 'feedsmith';
import { canonicalLink, resolveUrl } from './canonical-link.js';
import { decodeEntities } from './entities.js';
import { parseFeedDate } from './feed-date.js';
import { collapseWhitespace, htmlToText } from './html-text.js';
import { at, firstText, list, str } from './untyped.js';

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

/** One entry as the feed states it, before hashing and de-duplication. */
export interface FeedEntry {
  title: string | null;
  /** Canonical http(s) link, or null. */
  link: string | null;
  guid: string | null;
  /** Plain text, whitespace collapsed, not yet truncated. */
  summary: string | null;
  /** ISO 8601 UTC, or null when absent or not a date. */
  published: string | null;
  author: string | null;
  categories: string[];
  /** The first enclosure, attachment or media URL (absolute), or null. */
  media: string | null;
}

export interface FeedDocument {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  entries: FeedEntry[];
}

/** Feed text that may carry escaped markup: markup stripped when present, entities decoded, spaces collapsed. */
export function plainOrHtml(value: unknown): string | null {
  const text = str(value);
  if (text === null) return null;
  return (/<[A-Za-z/!]/.test(text) ? htmlToText(text) : collapseWhitespace(decodeEntities(text))) || null;
}

function link(value: unknown, base: string | undefined): string | null {
  const text = str(value);
  return text ? canonicalLink(text, base) : null;
}

function absolute(value: unknown, base: string | undefined): string | null {
  const text = str(value)?.trim();
  if (!text) return null;
  const url = resolveUrl(text, base);
  return url && /^https?:/.test(url) ? url : null;
}

function date(...values: unknown[]): string | null {
  for (const value of values) {
    const text = str(value);
    const parsed = text ? parseFeedDate(text) : null;
    if (parsed) return parsed;
  }
  return null;
}

function baseOf(xmlBase: unknown, inherited: string | undefined): string | undefined {
  const base = str(xmlBase);
  return base ? (resolveUrl(base, inherited) ?? inherited) : inherited;
}

function names(values: unknown[]): string[] {
  return values.map((v) => plainOrHtml(v)).filter((v): v is string => v !== null);
}

/** The first media URL: Media RSS content in or outside a group. */
function mediaUrl(item: unknown): unknown {
  return (
    at(list(at(item, 'media', 'contents'))[0], 'url') ??
    at(list(at(list(at(item, 'media', 'groups'))[0], 'contents'))[0], 'url') ??
    at(list(at(item, 'media', 'thumbnails'))[0], 'url')
  );
}

function mediaDescription(item: unknown): unknown {
  return (
    at(item, 'media', 'description', 'value') ??
    at(list(at(item, 'media', 'groups'))[0], 'description', 'value')
  );
}

function rssEntry(item: unknown, base: string | undefined): FeedEntry {
  const guid = at(item, 'guid');
  const guidText = firstText(at(guid, 'value'), guid);
  // A guid is a permalink unless it says otherwise (RSS 2.0).
  const permalink = at(guid, 'isPermaLink') === false ? null : guidText;
  const rdfAbout = at(item, 'rdf', 'about');
  return {
    title: plainOrHtml(at(item, 'title') ?? at(item, 'dc', 'title')),
    link: link(firstText(at(item, 'link'), permalink, rdfAbout), base),
    guid: guidText?.trim() || null,
    summary: plainOrHtml(
      firstText(
        at(item, 'description'),
        at(item, 'content', 'encoded'),
        at(item, 'itunes', 'summary'),
        mediaDescription(item),
      ),
    ),
    published: date(at(item, 'pubDate'), ...list(at(item, 'dc', 'dates')), at(item, 'dcterms', 'created')),
    author: plainOrHtml(
      firstText(
        ...list(at(item, 'dc', 'creators')),
        ...list(at(item, 'authors')),
        at(item, 'itunes', 'author'),
      ),
    ),
    categories: names([
      ...list(at(item, 'categories')).map((c) => at(c, 'name') ?? c),
      ...list(at(item, 'dc', 'subjects')),
    ]),
    media: absolute(at(list(at(item, 'enclosures'))[0], 'url') ?? mediaUrl(item), base),
  };
}

function atomText(value: unknown): string | null {
  return plainOrHtml(typeof value === 'string' ? value : at(value, 'value'));
}

/** The entry's alternate link (an html one first), as Atom defines "the" link of an entry. */
function atomLink(links: unknown[], rel: string): unknown {
  const matching = links.filter((l) => (str(at(l, 'rel')) ?? 'alternate') === rel && at(l, 'href'));
  const html = matching.find((l) => /html/.test(str(at(l, 'type')) ?? 'html'));
  return at(html ?? matching[0], 'href');
}

function atomEntry(entry: unknown, feedBase: string | undefined): FeedEntry {
  const base = baseOf(at(entry, 'xml', 'base'), feedBase);
  const links = list(at(entry, 'links'));
  return {
    title: atomText(at(entry, 'title')),
    link: link(atomLink(links, 'alternate'), base),
    guid: firstText(at(entry, 'id'))?.trim() ?? null,
    summary:
      atomText(at(entry, 'summary')) ??
      atomText(at(entry, 'content')) ??
      plainOrHtml(mediaDescription(entry)),
    published: date(at(entry, 'published'), at(entry, 'updated'), ...list(at(entry, 'dc', 'dates'))),
    author: plainOrHtml(at(list(at(entry, 'authors'))[0], 'name')),
    categories: names(list(at(entry, 'categories')).map((c) => at(c, 'label') ?? at(c, 'term'))),
    media: absolute(atomLink(links, 'enclosure') ?? mediaUrl(entry), base),
  };
}

function jsonEntry(item: unknown, base: string | undefined): FeedEntry {
  return {
    title: plainOrHtml(at(item, 'title')),
    link: link(firstText(at(item, 'url'), at(item, 'external_url'), at(item, 'externalUrl')), base),
    guid: firstText(at(item, 'id'))?.trim() ?? null,
    summary: plainOrHtml(
      firstText(
        at(item, 'summary'),
        at(item, 'content_text'),
        at(item, 'contentText'),
        at(item, 'content_html'),
        at(item, 'contentHtml'),
      ),
    ),
    published: date(
      at(item, 'date_published'),
      at(item, 'datePublished'),
      at(item, 'date_modified'),
      at(item, 'dateModified'),
    ),
    author: plainOrHtml(at(list(at(item, 'authors'))[0], 'name') ?? at(item, 'author', 'name')),
    categories: names(list(at(item, 'tags'))),
    media: absolute(at(list(at(item, 'attachments'))[0], 'url'), base),
  };
}

function notAFeed(problem: string, cause?: unknown): ForgeError {
  return new ForgeError('BAD_INPUT', `not an RSS, Atom or JSON feed: ${problem}`, {
    retryable: false,
    cause,
    details: { problem },
  });
}

/**
 * Why a document did not read as a feed, for a person: where the XML breaks (line and column),
 * else which root element it has. The parser's own message ("Invalid feed format") says neither.
 */
function whyNotAFeed(text: string): string {
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    return `malformed XML at line ${line}, column ${col}: ${msg}`;
  }
  const root = /^(?:<\?[^>]*\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z][\w:.-]*)/.exec(
    text,
  )?.[1];
  if (!root) return 'no root element';
  return /^(rss|rdf:RDF|feed|atom:feed)$/.test(root)
    ? `<${root}> holds no channel, items or entries that can be read`
    : `root element <${root}> is not <rss>, <rdf:RDF> or an Atom <feed>`;
}

/** Parses JSON Feed text, or says why it is not JSON. */
function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw notAFeed(`the document starts like JSON but is not: ${(error as Error).message}`, error);
  }
}

/**
 * Reads RSS 0.9x/2.0, RSS 0.90/1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.x into entries with
 * plain-text titles and summaries, canonical links and ISO dates. Parsing is feedsmith's (chosen
 * over the scout's own reader by the corpus in test/corpus; see bench/feed-parsers): it is
 * lenient with what feeds really send (HTML entities without a DTD, bare ampersands, undeclared
 * prefixes) and never expands DTD entities or fetches anything. Relative links resolve against
 * `xml:base`, then `baseUrl` (the feed's own URL), then an RSS channel's link. A document that is
 * no feed (an HTML page, a truncated or empty body) is BAD_INPUT naming the problem.
 */
export function readFeedText(text: string, baseUrl?: string): FeedDocument {
  const trimmed = text.trimStart();
  if (!trimmed) throw notAFeed('the document is empty');
  let parsed: ReturnType<typeof parseWithFeedsmith>;
  try {
    parsed = parseWithFeedsmith(trimmed.startsWith('{') ? jsonValue(trimmed) : trimmed);
  } catch (error) {
    if (error instanceof ForgeError) throw error;
    throw notAFeed(whyNotAFeed(trimmed), error);
  }
  const feed: unknown = parsed.feed;
  switch (parsed.format) {
    case 'rss':
    case 'rdf': {
      const channelLink = link(at(feed, 'link'), baseUrl);
      const base = baseUrl ?? channelLink ?? undefined;
      return {
        format: parsed.format,
        title: plainOrHtml(at(feed, 'title')),
        link: channelLink,
        entries: list(at(feed, 'items')).map((item) => rssEntry(item, base)),
      };
    }
    case 'atom': {
      const base = baseOf(at(feed, 'xml', 'base'), baseUrl);
      return {
        format: 'atom',
        title: atomText(at(feed, 'title')),
        link: link(atomLink(list(at(feed, 'links')), 'alternate'), base),
        entries: list(at(feed, 'entries')).map((entry) => atomEntry(entry, base)),
      };
    }
    case 'json': {
      const home = link(firstText(at(feed, 'home_page_url'), at(feed, 'homePageUrl')), baseUrl);
      return {
        format: 'json',
        title: plainOrHtml(at(feed, 'title')),
        link: home,
        entries: list(at(feed, 'items')).map((item) => jsonEntry(item, baseUrl)),
      };
    }
  }
}

import { ForgeError } from '@forge/contracts';
import { canonicalLink, resolveUrl } from './canonical-link.js';
import { decodeEntities } from './entities.js';
import { parseFeedDate } from './feed-date.js';
import { collapseWhitespace, htmlToText } from './html-text.js';
import { textContent, type XmlElement, type XmlNode } from './xml-reader.js';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  rss1: 'http://purl.org/rss/1.0/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
} as const;

/** The conventional prefix of each namespace, used when a feed forgets to declare it. */
const PREFIX_OF: Record<string, string> = { [NS.atom]: 'atom', [NS.content]: 'content', [NS.dc]: 'dc' };

export type FeedFormat = 'rss' | 'rdf' | 'atom';

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
}

export interface FeedDocument {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  entries: FeedEntry[];
}

/** Whether `el` is `local` in namespace `ns` (or, in an undeclared-prefix feed, has its usual prefix). */
function is(el: XmlElement, ns: string | null, local: string): boolean {
  if (el.local !== local) return false;
  if (el.ns === ns) return true;
  return el.ns === null && ns !== null && el.prefix === PREFIX_OF[ns];
}

function elements(parent: XmlElement): XmlElement[] {
  return parent.children.filter((c: XmlNode): c is XmlElement => c.kind === 'element');
}

function child(parent: XmlElement, ns: string | null, local: string): XmlElement | undefined {
  return elements(parent).find((el) => is(el, ns, local));
}

function childText(parent: XmlElement, ns: string | null, local: string): string | null {
  const el = child(parent, ns, local);
  if (!el) return null;
  return collapseWhitespace(textContent(el)) || null;
}

/** RSS titles are nominally plain text but often carry escaped markup; strip it when present. */
function plainOrHtml(text: string | null): string | null {
  if (text === null) return null;
  return (/<[A-Za-z/!]/.test(text) ? htmlToText(text) : collapseWhitespace(decodeEntities(text))) || null;
}

/** Text of an Atom text construct (`type` text, html or xhtml). */
function atomText(el: XmlElement | undefined): string | null {
  if (!el) return null;
  const type = el.attrs.get('type') ?? 'text';
  const text = textContent(el);
  if (type === 'html' || type === 'text/html') return htmlToText(text) || null;
  if (type === 'xhtml') return collapseWhitespace(blockAwareText(el)) || null;
  return collapseWhitespace(text) || null;
}

const BLOCK = new Set([
  'p',
  'div',
  'br',
  'li',
  'ul',
  'ol',
  'blockquote',
  'pre',
  'tr',
  'td',
  'h1',
  'h2',
  'h3',
  'h4',
]);

function blockAwareText(node: XmlNode): string {
  if (node.kind === 'text') return node.value;
  const inner = node.children.map(blockAwareText).join('');
  return BLOCK.has(node.local) ? ` ${inner} ` : inner;
}

function baseOf(el: XmlElement, inherited: string | undefined): string | undefined {
  const base = el.attrs.get('xml:base');
  if (base === undefined) return inherited;
  return resolveUrl(base, inherited) ?? inherited;
}

function readRssItem(item: XmlElement, base: string | undefined): FeedEntry {
  const guidEl = child(item, null, 'guid') ?? child(item, NS.rss1, 'guid');
  const guid = guidEl ? collapseWhitespace(textContent(guidEl)) || null : null;
  const rawLink =
    childText(item, null, 'link') ??
    childText(item, NS.rss1, 'link') ??
    item.attrs.get('rdf:about') ??
    // A guid is a permalink unless it says otherwise (RSS 2.0 spec).
    (guid && guidEl?.attrs.get('isPermaLink') !== 'false' ? guid : null);
  const description =
    childText(item, null, 'description') ??
    childText(item, NS.rss1, 'description') ??
    childText(item, NS.content, 'encoded');
  const date = childText(item, null, 'pubDate') ?? childText(item, NS.dc, 'date');
  return {
    title: plainOrHtml(childText(item, null, 'title') ?? childText(item, NS.rss1, 'title')),
    link: rawLink ? canonicalLink(rawLink, base) : null,
    guid,
    summary: description ? htmlToText(description) || null : null,
    published: date ? parseFeedDate(date) : null,
    author: childText(item, NS.dc, 'creator') ?? childText(item, null, 'author'),
    categories: [
      ...elements(item)
        .filter((el) => is(el, null, 'category') || is(el, NS.dc, 'subject'))
        .map((el) => collapseWhitespace(textContent(el)))
        .filter(Boolean),
    ],
  };
}

function atomLink(parent: XmlElement, base: string | undefined): string | null {
  const links = elements(parent).filter((el) => is(el, NS.atom, 'link') && el.attrs.has('href'));
  const alternate =
    links.find(
      (l) =>
        (l.attrs.get('rel') ?? 'alternate') === 'alternate' && /html/.test(l.attrs.get('type') ?? 'html'),
    ) ?? links.find((l) => (l.attrs.get('rel') ?? 'alternate') === 'alternate');
  if (!alternate) return null;
  return canonicalLink(alternate.attrs.get('href') ?? '', baseOf(alternate, base));
}

function readAtomEntry(entry: XmlElement, feedBase: string | undefined): FeedEntry {
  const base = baseOf(entry, feedBase);
  const date = childText(entry, NS.atom, 'published') ?? childText(entry, NS.atom, 'updated');
  const author = child(entry, NS.atom, 'author');
  return {
    title: atomText(child(entry, NS.atom, 'title')),
    link: atomLink(entry, base),
    guid: childText(entry, NS.atom, 'id'),
    summary: atomText(child(entry, NS.atom, 'summary')) ?? atomText(child(entry, NS.atom, 'content')),
    published: date ? parseFeedDate(date) : null,
    author: author ? childText(author, NS.atom, 'name') : null,
    categories: elements(entry)
      .filter((el) => is(el, NS.atom, 'category'))
      .map((el) => collapseWhitespace(el.attrs.get('label') ?? el.attrs.get('term') ?? ''))
      .filter(Boolean),
  };
}

/**
 * Reads RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0 documents into entries with plain-text
 * titles and summaries, canonical links and ISO dates. Relative links resolve against
 * `xml:base` and then `baseUrl` (the feed's own URL). Any other root element is BAD_INPUT.
 */
export function readFeed(root: XmlElement, baseUrl?: string): FeedDocument {
  if (root.local === 'rss' && root.ns === null) {
    const channel = child(root, null, 'channel');
    if (!channel) throw notAFeed('<rss> has no <channel>');
    const base = baseOf(channel, baseOf(root, baseUrl));
    const link = childText(channel, null, 'link');
    return {
      format: 'rss',
      title: plainOrHtml(childText(channel, null, 'title')),
      link: link ? canonicalLink(link, base) : null,
      entries: elements(channel)
        .filter((el) => is(el, null, 'item'))
        .map((item) => readRssItem(item, baseOf(item, base))),
    };
  }
  if (is(root, NS.rdf, 'RDF')) {
    const channel = child(root, NS.rss1, 'channel') ?? child(root, null, 'channel');
    const base = baseOf(root, baseUrl);
    const link = channel ? (childText(channel, NS.rss1, 'link') ?? childText(channel, null, 'link')) : null;
    return {
      format: 'rdf',
      title: channel
        ? plainOrHtml(childText(channel, NS.rss1, 'title') ?? childText(channel, null, 'title'))
        : null,
      link: link ? canonicalLink(link, base) : null,
      entries: elements(root)
        .filter((el) => is(el, NS.rss1, 'item') || is(el, null, 'item'))
        .map((item) => readRssItem(item, base)),
    };
  }
  if (is(root, NS.atom, 'feed')) {
    const base = baseOf(root, baseUrl);
    return {
      format: 'atom',
      title: atomText(child(root, NS.atom, 'title')),
      link: atomLink(root, base),
      entries: elements(root)
        .filter((el) => is(el, NS.atom, 'entry'))
        .map((entry) => readAtomEntry(entry, base)),
    };
  }
  const ns = root.ns ? ` in namespace ${root.ns}` : '';
  throw notAFeed(`root element is <${root.name}>${ns}, expected <rss>, <rdf:RDF> or an Atom <feed>`);
}

function notAFeed(problem: string): ForgeError {
  return new ForgeError('BAD_INPUT', `not an RSS or Atom feed: ${problem}`, {
    retryable: false,
    details: { problem },
  });
}

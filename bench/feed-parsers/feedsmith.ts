import { parseFeed } from 'feedsmith';
import {
  at,
  type ComparedDocument,
  type ComparedEntry,
  date,
  link,
  list,
  type ParserUnderTest,
  plainText,
  str,
} from './compared.js';

function rssEntry(item: unknown, base: string | undefined): ComparedEntry {
  const guid = at(item, 'guid');
  const permalink = at(guid, 'isPermaLink') !== false ? str(at(guid, 'value')) : null;
  const media =
    str(at(list(at(item, 'enclosures'))[0], 'url')) ??
    str(at(list(at(item, 'media', 'contents'))[0], 'url')) ??
    str(at(list(at(item, 'media', 'group', 'contents'))[0], 'url'));
  return {
    title: plainText(str(at(item, 'title'))),
    link: link(str(at(item, 'link')) ?? permalink, base),
    published: date(at(item, 'pubDate') ?? list(at(item, 'dc', 'dates'))[0] ?? at(item, 'dc', 'date')),
    summary: plainText(str(at(item, 'description')) ?? str(at(item, 'content', 'encoded'))),
    author: str(list(at(item, 'dc', 'creators'))[0]) ?? str(list(at(item, 'authors'))[0]),
    categories: [
      ...list(at(item, 'categories')).map((c) => str(at(c, 'name'))),
      ...list(at(item, 'dc', 'subjects')).map(str),
    ].filter((c): c is string => Boolean(c)),
    media,
  };
}

function atomText(value: unknown): string | null {
  return plainText(typeof value === 'string' ? value : str(at(value, 'value')));
}

function atomEntry(entry: unknown, feedBase: string | undefined): ComparedEntry {
  const base = resolveBase(str(at(entry, 'xml', 'base')), feedBase);
  const links = list(at(entry, 'links'));
  const alternate = links.find((l) => (str(at(l, 'rel')) ?? 'alternate') === 'alternate');
  const enclosure = links.find((l) => str(at(l, 'rel')) === 'enclosure');
  return {
    title: atomText(at(entry, 'title')),
    link: link(str(at(alternate, 'href')), base),
    published: date(at(entry, 'published') ?? at(entry, 'updated')),
    summary: atomText(at(entry, 'summary')) ?? atomText(at(entry, 'content')),
    author: str(at(list(at(entry, 'authors'))[0], 'name')),
    categories: list(at(entry, 'categories'))
      .map((c) => str(at(c, 'label')) ?? str(at(c, 'term')))
      .filter((c): c is string => Boolean(c)),
    media: str(at(enclosure, 'href')),
  };
}

function resolveBase(base: string | null, inherited: string | undefined): string | undefined {
  if (!base) return inherited;
  try {
    return new URL(base, inherited).toString();
  } catch {
    return inherited;
  }
}

function jsonEntry(item: unknown, base: string | undefined): ComparedEntry {
  return {
    title: plainText(str(at(item, 'title'))),
    link: link(str(at(item, 'url')), base),
    published: date(at(item, 'date_published') ?? at(item, 'datePublished')),
    summary: plainText(
      str(at(item, 'summary')) ??
        str(at(item, 'content_text')) ??
        str(at(item, 'contentText')) ??
        str(at(item, 'content_html')) ??
        str(at(item, 'contentHtml')),
    ),
    author: str(at(list(at(item, 'authors'))[0], 'name')),
    categories: list(at(item, 'tags'))
      .map(str)
      .filter((c): c is string => Boolean(c)),
    media: str(at(list(at(item, 'attachments'))[0], 'url')),
  };
}

/** feedsmith: fast-xml-parser + entities underneath; RSS, Atom, RDF and JSON Feed; dates left as text. */
export const feedsmith: ParserUnderTest = {
  name: 'feedsmith',
  version: '3.0.1',
  parse(text: string, feedUrl: string): ComparedDocument {
    const trimmed = text.trimStart();
    const parsed = parseFeed(trimmed.startsWith('{') ? JSON.parse(trimmed) : text);
    const feed: unknown = parsed.feed;
    switch (parsed.format) {
      case 'rss':
      case 'rdf': {
        const base = str(at(feed, 'link')) ?? feedUrl;
        return {
          format: parsed.format,
          title: plainText(str(at(feed, 'title'))),
          entries: list(at(feed, 'items')).map((item) => rssEntry(item, resolveBase(base, feedUrl))),
        };
      }
      case 'atom': {
        const base = resolveBase(str(at(feed, 'xml', 'base')), feedUrl);
        return {
          format: 'atom',
          title: atomText(at(feed, 'title')),
          entries: list(at(feed, 'entries')).map((entry) => atomEntry(entry, base)),
        };
      }
      case 'json':
        return {
          format: 'json',
          title: plainText(str(at(feed, 'title'))),
          entries: list(at(feed, 'items')).map((item) => jsonEntry(item, feedUrl)),
        };
    }
  },
};

import { parseFeed } from '@rowanmanning/feed-parser';
import { type ComparedDocument, date, link, type ParserUnderTest, plainText } from './compared.js';

/** @rowanmanning/feed-parser: fast-xml-parser underneath, lenient, resolves relative URLs itself. */
export const rowanmanning: ParserUnderTest = {
  name: '@rowanmanning/feed-parser',
  version: '2.1.5',
  parse(text: string, feedUrl: string): ComparedDocument {
    const feed = parseFeed(text);
    const type = feed.meta.type;
    return {
      format: type === 'atom' ? 'atom' : text.includes('rdf:RDF') ? 'rdf' : 'rss',
      title: plainText(feed.title),
      entries: feed.items.map((item) => ({
        title: plainText(item.title),
        link: link(item.url, feed.url ?? feedUrl),
        published: date(item.published ?? item.updated),
        summary: plainText(item.description ?? item.content),
        author: item.authors[0]?.name ?? null,
        categories: item.categories.map((c) => c.label ?? c.term).filter((c): c is string => Boolean(c)),
        media: item.media[0]?.url ?? null,
      })),
    };
  },
};

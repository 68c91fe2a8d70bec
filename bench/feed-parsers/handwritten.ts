import { parseXml, readFeed } from '@forge/service-scout';
import type { ComparedDocument, ParserUnderTest } from './compared.js';

/** Today's scout parser (services/scout/src/feed): its own XML reader and RSS/RDF/Atom mapping. */
export const handwritten: ParserUnderTest = {
  name: 'hand-written (scout/src/feed)',
  version: 'repo',
  parse(text: string, feedUrl: string): ComparedDocument {
    const doc = readFeed(parseXml(text), feedUrl);
    return {
      format: doc.format,
      title: doc.title,
      entries: doc.entries.map((e) => ({
        title: e.title,
        link: e.link,
        published: e.published,
        summary: e.summary,
        author: e.author,
        categories: e.categories,
        media: 'media' in e && typeof e.media === 'string' ? e.media : null,
      })),
    };
  },
};

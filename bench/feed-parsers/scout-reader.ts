import { readFeedText } from '@forge/service-scout';
import type { ComparedDocument, ParserUnderTest } from './compared.js';

/** What the scout runs: feedsmith 3.0.1 parsing, the scout's mapping and normalisation. */
export const scoutReader: ParserUnderTest = {
  name: 'scout (feedsmith 3.0.1)',
  version: 'repo',
  parse(text: string, feedUrl: string): ComparedDocument {
    const doc = readFeedText(text, feedUrl);
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
        media: e.media,
      })),
    };
  },
};

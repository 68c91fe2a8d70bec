import { ForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { contentHash, parseFeed } from './parse-feed.js';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Operator &amp; Grow News</title>
    <link>https://News.Example.com/</link>
    <item>
      <title>METRC adds &lt;b&gt;transfer&lt;/b&gt; checks &#8212; what changes</title>
      <link>https://news.example.com/metrc?utm_source=rss&amp;id=1#comments</link>
      <guid isPermaLink="false">tag:news.example.com,2025:1</guid>
      <pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
      <description><![CDATA[<p>State regulators <em>now</em> require&nbsp;manifests.</p><img src="x.png">]]></description>
      <category>Compliance</category><category>Compliance</category><category>METRC</category>
      <dc:creator>Jo Reporter</dc:creator>
    </item>
    <item>
      <title>Same story, other campaign</title>
      <link>https://NEWS.example.com:443/metrc?id=1&amp;utm_medium=social</link>
    </item>
    <item>
      <title>AI agents run the night shift</title>
      <guid>https://news.example.com/agents</guid>
      <dc:date>2025-06-09T18:30:00-04:00</dc:date>
      <content:encoded><![CDATA[<div>Agents <i>triage</i> alerts.</div>]]></content:encoded>
    </item>
    <item><description>   </description></item>
    <item>
      <title>Relative link</title>
      <link>/posts/relative</link>
      <pubDate>not a date</pubDate>
    </item>
  </channel>
</rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/">
  <title type="html">Leverage &lt;i&gt;Weekly&lt;/i&gt;</title>
  <link rel="self" href="https://blog.example.org/feed.xml"/>
  <link href="https://blog.example.org/"/>
  <entry>
    <title>Routing is the system</title>
    <link rel="alternate" type="text/html" href="posts/routing?utm_campaign=x"/>
    <link rel="enclosure" href="https://cdn.example.org/a.mp3"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2025-06-08T10:00:00Z</updated>
    <published>2025-06-07T09:00:00+02:00</published>
    <author><name>Brad</name></author>
    <category term="ai" label="AI agents"/><category term="ops"/>
    <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Cheap work</p><p>stays <b>cheap</b>.</p></div></summary>
  </entry>
  <entry xml:base="https://other.example.net/dir/">
    <title>Entry base</title>
    <link href="item"/>
    <id>tag:other,2025:2</id>
    <updated>2025-06-06T00:00:00Z</updated>
    <content type="html">&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;</content>
  </entry>
</feed>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.com/"><title>RDF feed</title><link>https://rdf.example.com/</link></channel>
  <item rdf:about="https://rdf.example.com/1">
    <title>One</title><link>https://rdf.example.com/1</link><dc:date>2025-01-02T03:04:05Z</dc:date>
    <dc:subject>cannabis</dc:subject>
  </item>
</rdf:RDF>`;

describe('parseFeed', () => {
  it('normalises RSS 2.0 items: canonical links, ISO dates, plain text, namespaced fields', () => {
    const out = parseFeed({ xml: RSS, feedUrl: 'https://news.example.com/rss.xml' });
    expect(out.feed).toEqual({
      format: 'rss',
      title: 'Operator & Grow News',
      link: 'https://news.example.com/',
    });
    expect(out.counts).toEqual({
      total: 4,
      new: 3,
      duplicateInBatch: 1,
      alreadySeen: 0,
      skipped: 0,
      overLimit: 0,
    });
    const [metrc, agents, relative] = out.items;
    expect(metrc).toMatchObject({
      title: 'METRC adds transfer checks — what changes',
      link: 'https://news.example.com/metrc?id=1',
      guid: 'tag:news.example.com,2025:1',
      published: '2025-06-10T04:00:00.000Z',
      summary: 'State regulators now require manifests.',
      author: 'Jo Reporter',
      categories: ['Compliance', 'METRC'],
    });
    expect(metrc?.hash).toBe(contentHash('link\nhttps://news.example.com/metrc?id=1'));
    // A guid that is a permalink stands in for the missing <link>; content:encoded for the description.
    expect(agents).toMatchObject({
      link: 'https://news.example.com/agents',
      published: '2025-06-09T22:30:00.000Z',
      summary: 'Agents triage alerts.',
    });
    expect(relative).toMatchObject({ link: 'https://news.example.com/posts/relative', published: null });
  });

  it('reads Atom with xml:base, alternate links, xhtml and html text constructs', () => {
    const out = parseFeed({ xml: ATOM });
    expect(out.feed).toEqual({ format: 'atom', title: 'Leverage Weekly', link: 'https://blog.example.org/' });
    expect(out.items).toHaveLength(2);
    expect(out.items[0]).toMatchObject({
      title: 'Routing is the system',
      link: 'https://blog.example.org/posts/routing',
      guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
      published: '2025-06-07T07:00:00.000Z',
      author: 'Brad',
      categories: ['AI agents', 'ops'],
      summary: 'Cheap work stays cheap.',
    });
    expect(out.items[1]).toMatchObject({
      link: 'https://other.example.net/dir/item',
      published: '2025-06-06T00:00:00.000Z',
      summary: 'Hello & welcome',
    });
  });

  it('reads RSS 1.0 (RDF) items that sit beside the channel', () => {
    const out = parseFeed({ xml: RDF });
    expect(out.feed.format).toBe('rdf');
    expect(out.feed.title).toBe('RDF feed');
    expect(out.items).toEqual([
      expect.objectContaining({
        title: 'One',
        link: 'https://rdf.example.com/1',
        published: '2025-01-02T03:04:05.000Z',
        categories: ['cannabis'],
      }),
    ]);
  });

  it('drops items whose hash the caller has already seen, in any letter case', () => {
    const first = parseFeed({ xml: RSS, feedUrl: 'https://news.example.com/rss.xml' });
    const seen = first.items.slice(0, 2).map((i) => i.hash.toUpperCase());
    const second = parseFeed({ xml: RSS, feedUrl: 'https://news.example.com/rss.xml', seenHashes: seen });
    expect(second.items.map((i) => i.title)).toEqual(['Relative link']);
    expect(second.counts).toMatchObject({ new: 1, alreadySeen: 2, duplicateInBatch: 1 });
  });

  it('keeps hashes stable across fetches and counts items past maxItems', () => {
    const a = parseFeed({ xml: ATOM });
    const b = parseFeed({ xml: ATOM, maxItems: 1 });
    expect(b.items.map((i) => i.hash)).toEqual([a.items[0]?.hash]);
    expect(b.counts).toMatchObject({ new: 1, overLimit: 1 });
  });

  it('identifies items that all link to the home page by their guid', () => {
    const xml = `<rss><channel><link>https://x.example/</link>
      <item><title>A</title><link>https://x.example/</link><guid>a</guid></item>
      <item><title>B</title><link>https://x.example/</link><guid>b</guid></item></channel></rss>`;
    const out = parseFeed({ xml });
    expect(out.items.map((i) => i.title)).toEqual(['A', 'B']);
    expect(out.counts.duplicateInBatch).toBe(0);
  });

  it('cuts long summaries at a word boundary', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const xml = `<rss><channel><item><title>T</title><description>${words}</description></item></channel></rss>`;
    const summary = parseFeed({ xml, summaryMaxChars: 50 }).items[0]?.summary ?? '';
    expect(Array.from(summary).length).toBeLessThanOrEqual(50);
    expect(summary).toMatch(/^word0 word1 .* word\d+…$/);
  });

  it.each([
    ['<html><body>nope</body></html>', 'not an RSS, Atom or JSON feed: root element <html> is not <rss>'],
    ['<feed><entry/></feed>', 'not an RSS, Atom or JSON feed: <feed> holds no channel, items or entries'],
    ['<rss version="2.0"></rss>', '<rss> holds no channel, items or entries that can be read'],
    [
      '<rss><channel><item><title>x</item></channel></rss>',
      "malformed XML at line 1, column 29: Expected closing tag 'title'",
    ],
    ['{"version": "https://jsonfeed.org/version/1.1", "items": [', 'starts like JSON but is not'],
    ['   ', 'the document is empty'],
  ])('rejects %j with BAD_INPUT naming the problem', (xml, message) => {
    expect(() => parseFeed({ xml })).toThrow(ForgeError);
    expect(() => parseFeed({ xml })).toThrow(message);
  });

  it('validates its input, naming the field', () => {
    expect(() => parseFeed({ xml: '<rss/>', seenHashes: ['abc'] })).toThrow(/seenHashes/);
    expect(() => parseFeed({ xml: '<rss/>', feedUrl: 'ftp://x.example/' })).toThrow(/feedUrl/);
  });
});

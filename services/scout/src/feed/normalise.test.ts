import { describe, expect, it } from 'vitest';
import { canonicalLink } from './canonical-link.js';
import { parseFeedDate } from './feed-date.js';
import { htmlToText, truncateText } from './html-text.js';

describe('parseFeedDate', () => {
  it.each([
    ['Tue, 10 Jun 2025 04:00:00 GMT', '2025-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2025 04:00:00 +0200', '2025-06-10T02:00:00.000Z'],
    ['10 Jun 2025 04:00 EDT', '2025-06-10T08:00:00.000Z'],
    ['Mon, 1 December 2025 23:30:00 PST', '2025-12-02T07:30:00.000Z'],
    ['Sun, 09 Mar 25 10:00:00 -0500', '2025-03-09T15:00:00.000Z'],
    ['Fri, 01 Jan 99 00:00:00 GMT', '1999-01-01T00:00:00.000Z'],
    ['Wed, 02 Oct 2002 13:00:00 Z', '2002-10-02T13:00:00.000Z'],
    ['  Wed,  02   Oct 2002 08:00:00 EST ', '2002-10-02T13:00:00.000Z'],
    ['02 Oct 2002', '2002-10-02T00:00:00.000Z'],
    ['2025-06-10T04:00:00Z', '2025-06-10T04:00:00.000Z'],
    ['2025-06-10T04:00:00.123456-07:00', '2025-06-10T11:00:00.123Z'],
    ['2025-06-10t04:00:00+0530', '2025-06-09T22:30:00.000Z'],
    ['2025-06-10 04:00', '2025-06-10T04:00:00.000Z'],
    ['2025-06-10', '2025-06-10T00:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
  ])('parses %j', (text, iso) => {
    expect(parseFeedDate(text)).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    '2025-13-01',
    '2025-04-31',
    '2023-02-29T00:00:00Z',
    '2025-06-10T25:00:00Z',
    '31 Foo 2025 10:00:00 GMT',
    '10 Jun 2025 10:00:00 XYZT',
    '0099-01-01',
    '2025-06-10T04:00:00+99:00',
  ])('returns null for %j', (text) => {
    expect(parseFeedDate(text)).toBeNull();
  });
});

describe('canonicalLink', () => {
  it('lower-cases the host, drops default port, fragment, credentials and tracking parameters', () => {
    expect(
      canonicalLink(
        'HTTPS://user:pw@News.Example.COM:443/Story/1?id=7&utm_source=x&UTM_Medium=y&fbclid=abc&b=%20#top',
      ),
    ).toBe('https://news.example.com/Story/1?id=7&b=%20');
  });

  it('removes an emptied query entirely and keeps an untouched one byte for byte', () => {
    expect(canonicalLink('http://a.example/p?utm_campaign=z#x')).toBe('http://a.example/p');
    expect(canonicalLink('http://a.example/p?q=a+b&r=%2F')).toBe('http://a.example/p?q=a+b&r=%2F');
  });

  it('resolves relative links against a base and refuses non-http schemes', () => {
    expect(canonicalLink('../b?utm_term=1', 'https://x.example/a/c/')).toBe('https://x.example/a/b');
    expect(canonicalLink('javascript:alert(1)')).toBeNull();
    expect(canonicalLink('mailto:a@b.example')).toBeNull();
    expect(canonicalLink('/relative/without/base')).toBeNull();
    expect(canonicalLink('   ')).toBeNull();
  });
});

describe('htmlToText and truncateText', () => {
  it('drops tags, scripts, styles and comments, spaces block boundaries and decodes entities', () => {
    expect(
      htmlToText(
        '<p>Hello&nbsp;<b>world</b></p><p>again &amp; <a href="x">more</a></p><script>alert(1)</script>' +
          '<style>p{}</style><!-- c --><br/>a < b &lt;tag&gt;',
      ),
    ).toBe('Hello world again & more a < b <tag>');
  });

  it('cuts at a word boundary by code points, ellipsis included', () => {
    expect(truncateText('short', 10)).toBe('short');
    expect(truncateText('the quick brown fox jumps', 16)).toBe('the quick brown…');
    const emoji = '😀'.repeat(10);
    expect(Array.from(truncateText(emoji, 5))).toHaveLength(5);
    expect(truncateText(emoji, 5)).toBe('😀😀😀😀…');
  });
});

import { describe, expect, it } from 'vitest';
import { findUrls } from './links.js';

const urls = (text: string) => findUrls(text).map((s) => text.slice(s.start, s.end));

describe('findUrls', () => {
  it('finds http, https and www links in order', () => {
    expect(urls('a http://a.example b HTTPS://B.example/x?y=1 c www.c.example/d')).toEqual([
      'http://a.example',
      'HTTPS://B.example/x?y=1',
      'www.c.example/d',
    ]);
  });

  it('leaves trailing sentence punctuation and closing brackets outside the link', () => {
    expect(urls('Read https://a.example/post. Then (see www.b.example)!')).toEqual([
      'https://a.example/post',
      'www.b.example',
    ]);
    expect(urls('"https://a.example/q?x=1",')).toEqual(['https://a.example/q?x=1']);
  });

  it('stops at whitespace, quotes and angle brackets, and ignores a bare www.', () => {
    expect(urls('<https://a.example>x www. and www.,')).toEqual(['https://a.example']);
    expect(urls('no links here, just www')).toEqual([]);
  });

  it('reports UTF-16 spans, so text before a link may hold surrogate pairs', () => {
    const text = '🌿🌿 https://a.example';
    expect(findUrls(text)).toEqual([{ start: 5, end: text.length }]);
  });
});

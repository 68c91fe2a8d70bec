import { ForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { decodeEntities, LATIN1_ENTITY_COUNT } from './entities.js';
import { lineAndColumn, parseXml, textContent, type XmlElement } from './xml-reader.js';

function failure(xml: string): ForgeError {
  try {
    parseXml(xml);
  } catch (error) {
    if (error instanceof ForgeError) return error;
    throw error;
  }
  throw new Error('expected parseXml to throw');
}

function firstElement(el: XmlElement): XmlElement {
  const found = el.children.find((c) => c.kind === 'element');
  if (found?.kind !== 'element') throw new Error('no child element');
  return found;
}

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA and skips prolog, comments and DOCTYPE', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss PUBLIC "-//x//EN" "rss.dtd" [ <!ENTITY x "]>"> ]>\n' +
        '<!-- hello --><rss version="2.0"><a href=\'1\' title="x &amp; y">one<![CDATA[ <b>two</b> & ]]>three</a><b/></rss>',
    );
    expect(root.name).toBe('rss');
    expect(root.attrs.get('version')).toBe('2.0');
    const a = firstElement(root);
    expect(a.attrs.get('href')).toBe('1');
    expect(a.attrs.get('title')).toBe('x & y');
    expect(textContent(a)).toBe('one <b>two</b> & three');
    expect(root.children.map((c) => (c.kind === 'element' ? c.name : 'text'))).toEqual(['a', 'b']);
  });

  it('resolves namespaces from declarations in scope, including defaults and undeclaring', () => {
    const root = parseXml(
      '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:c="urn:c"><c:x/><y xmlns=""><z/></y><q:w/></feed>',
    );
    expect(root.ns).toBe('http://www.w3.org/2005/Atom');
    const [x, y, w] = root.children as XmlElement[];
    expect(x?.ns).toBe('urn:c');
    expect(x?.local).toBe('x');
    expect(y?.ns).toBeNull();
    expect(firstElement(y!).ns).toBeNull();
    expect(w?.prefix).toBe('q');
    expect(w?.ns).toBeNull();
  });

  it('decodes numeric references, XML and HTML entities, and keeps unknown ones and bare ampersands', () => {
    const root = parseXml(
      '<t>&#233;&#xE9;&lt;&gt;&quot;&apos;&nbsp;&mdash;&hellip;&bogus; AT&T &#0;&#xD800;</t>',
    );
    expect(textContent(root)).toBe('éé<>"\'\u00A0—…&bogus; AT&T \uFFFD\uFFFD');
  });

  it('normalises tabs and newlines in attribute values', () => {
    expect(parseXml('<a t="x\ny\tz"/>').attrs.get('t')).toBe('x y z');
  });

  it.each([
    ['', 'no root element'],
    ['   ', 'no root element'],
    ['<a><b></a>', 'mismatched end tag </a>: expected </b> (opened at line 1)'],
    ['<a>', 'unexpected end of document: <a> opened at line 1 is never closed'],
    ['<a></a><b/>', 'a second root element <b>'],
    ['hello<a/>', 'text outside the root element'],
    ['<a/>trailing', 'text outside the root element'],
    ['<a x=1/>', 'value of attribute "x" of <a> is not quoted'],
    ['<a x/>', 'attribute "x" of <a> has no value'],
    ['<a x="1" x="2"/>', 'duplicate attribute "x" on <a>'],
    ['<a x="<"/>', '"<" in the value of attribute "x" of <a>'],
    ['<a x="1', 'unterminated value of attribute "x" of <a>'],
    ['<a><!-- open', 'unterminated comment'],
    ['<a><![CDATA[ x', 'unterminated CDATA section'],
    ['</a>', 'end tag </a> without a start tag'],
    ['< a/>', 'invalid character after "<"'],
    ['<a b="1"c="2"/>', 'unexpected character "c" in <a> tag'],
    ['<a></a', 'unterminated end tag </a>'],
    ['<a', 'unterminated start tag <a>'],
    ['<a/><!DOCTYPE a>', 'DOCTYPE after the root element started'],
  ])('rejects %j with a message naming the problem', (xml, problem) => {
    const error = failure(xml);
    expect(error.code).toBe('BAD_INPUT');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(problem);
    expect(error.details?.problem).toBe(problem);
  });

  it('reports the line and column of the fault', () => {
    const error = failure('<rss>\n  <channel>\n    <item></channel>\n</rss>');
    expect(error.details).toMatchObject({ line: 3, column: 11 });
    expect(error.message).toMatch(/^malformed XML at line 3, column 11: mismatched end tag <\/channel>/);
  });

  it('refuses nesting deeper than maxDepth', () => {
    const deep = `${'<a>'.repeat(20)}${'</a>'.repeat(20)}`;
    expect(() => parseXml(deep, { maxDepth: 10 })).toThrow(/nested deeper than 10/);
    expect(parseXml(deep, { maxDepth: 20 }).name).toBe('a');
  });

  it('does not expand entities declared in the DOCTYPE (no entity bombs)', () => {
    const root = parseXml('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>');
    expect(textContent(root)).toBe('&b;');
  });
});

describe('entities and positions', () => {
  it('knows the 96 Latin-1 names in code-point order', () => {
    expect(LATIN1_ENTITY_COUNT).toBe(96);
    expect(decodeEntities('&nbsp;&copy;&Agrave;&yuml;')).toBe('\u00A0\u00A9\u00C0\u00FF');
  });

  it('computes 1-based lines and columns', () => {
    expect(lineAndColumn('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });
});

/**
 * HTML 4 names for U+00A0..U+00FF, in code-point order. Feeds declare them through old DTDs
 * (RSS 0.91) or simply use them; a reader that rejects `&nbsp;` rejects half the web's feeds.
 */
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 ' +
  'sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc ' +
  'Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve ' +
  'Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute ' +
  'acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ' +
  'ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

/** Typographic and symbol entities that show up in headlines, as `name:hex code point`. */
const OTHER_NAMES = (
  'quot:22 amp:26 apos:27 lt:3c gt:3e OElig:152 oelig:153 Scaron:160 scaron:161 Yuml:178 fnof:192 ' +
  'circ:2c6 tilde:2dc ensp:2002 emsp:2003 thinsp:2009 zwnj:200c zwj:200d lrm:200e rlm:200f ' +
  'ndash:2013 mdash:2014 lsquo:2018 rsquo:2019 sbquo:201a ldquo:201c rdquo:201d bdquo:201e ' +
  'dagger:2020 Dagger:2021 bull:2022 hellip:2026 permil:2030 prime:2032 Prime:2033 lsaquo:2039 ' +
  'rsaquo:203a euro:20ac trade:2122 larr:2190 uarr:2191 rarr:2192 darr:2193 harr:2194'
)
  .split(' ')
  .map((pair) => {
    const [name = '', hex = ''] = pair.split(':');
    return [name, String.fromCodePoint(Number.parseInt(hex, 16))] as const;
  });

const NAMED: ReadonlyMap<string, string> = new Map([
  ...LATIN1_NAMES.map((name, i) => [name, String.fromCodePoint(0xa0 + i)] as const),
  ...OTHER_NAMES,
]);

/** How many names the table knows; exported so a test can pin the Latin-1 block's length. */
export const LATIN1_ENTITY_COUNT = LATIN1_NAMES.length;

const ENTITY = /&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

function fromCodePoint(cp: number): string {
  // XML forbids NUL, lone surrogates and values past U+10FFFF; a feed that sends them gets U+FFFD
  // rather than a crash or a broken string.
  if (cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return '\uFFFD';
  return String.fromCodePoint(cp);
}

/**
 * Decodes character references (`&#233;`, `&#xE9;`), the five XML entities and the common
 * HTML named entities. Unknown names and a bare `&` stay as written: feeds are full of
 * `AT&T` and `&copy2024`, and dropping or rejecting them loses real text.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    ENTITY,
    (match, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
      if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16));
      if (dec !== undefined) return fromCodePoint(Number.parseInt(dec, 10));
      return NAMED.get(name ?? '') ?? match;
    },
  );
}

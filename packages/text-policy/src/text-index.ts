/** Code points that render as nothing and are used to slip words past filters (`c\u200Bure`). */
const INVISIBLE = new Set([
  0x00ad, 0x034f, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
  0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff,
]);

/** A text prepared for matching, with a way back to offsets in the original. */
export interface TextIndex {
  /** The original text. */
  readonly original: string;
  /** NFKC per code point, invisible characters removed, curly quotes and dashes made ASCII. */
  readonly normalized: string;
  /** Maps a [start, end) range in `normalized` to the range of `original` it came from. */
  toOriginal(start: number, end: number): { start: number; end: number };
}

const ASCII_LOOKALIKE: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u00A0': ' ',
};

/**
 * Builds the matching view of `text`. Normalising per code point (not the whole string) keeps a
 * precise map from every normalized UTF-16 unit to the original code point it came from, so
 * violations report spans in the caller's text even when fullwidth letters (`ｃｕｒｅ`),
 * ligatures or zero-width characters were used to dodge the rules.
 */
export function indexText(text: string): TextIndex {
  let normalized = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const point of text) {
    const width = point.length;
    if (!INVISIBLE.has(point.codePointAt(0)!)) {
      const mapped = ASCII_LOOKALIKE[point] ?? point.normalize('NFKC');
      for (let k = 0; k < mapped.length; k++) {
        starts.push(offset);
        ends.push(offset + width);
      }
      normalized += mapped;
    }
    offset += width;
  }
  return {
    original: text,
    normalized,
    toOriginal(start, end) {
      if (end <= start) {
        const at = starts[start] ?? text.length;
        return { start: at, end: at };
      }
      return { start: starts[start] ?? text.length, end: ends[end - 1] ?? text.length };
    },
  };
}

import { ForgeError } from './errors.js';

/** How deep a JSON document from outside may nest by default: far beyond any real request. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** Why a text was refused: not JSON at all, or JSON nested deeper than allowed. */
export type JsonRefusal = 'syntax' | 'depth';

/**
 * The deepest nesting of arrays and objects in a JSON text, counted in one pass without
 * recursion (strings and their escapes skipped). Stops counting once `stopAbove` is passed.
 */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Parses JSON from outside: the depth is checked before parsing, so nothing downstream (zod,
 * protobuf decoders, `JSON.stringify`) can run out of stack on it. BAD_INPUT with
 * `details.refusal` (`syntax` or `depth`) otherwise; the message says what is wrong, never more.
 */
export function parseBoundedJson(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new ForgeError('BAD_INPUT', `the JSON is nested deeper than ${maxDepth} levels`, {
      retryable: false,
      details: { refusal: 'depth' satisfies JsonRefusal },
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    throw new ForgeError('BAD_INPUT', `the body is not valid JSON: ${reason}`, {
      retryable: false,
      details: { refusal: 'syntax' satisfies JsonRefusal },
    });
  }
}

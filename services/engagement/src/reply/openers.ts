/**
 * Sycophantic openers, as regex sources matched case-insensitively at the start of a reply.
 * An opener is removed only when punctuation, an emoji or the end follows it, so "Exactly how
 * we run it" and "This is wrong" keep their first word.
 */
export const SYCOPHANTIC_OPENERS: readonly string[] = [
  'great (?:point|question|post|thread|take|insight|observation|share|stuff)s?',
  'love (?:this|that|it)',
  'so true',
  'this',
  'this is (?:so )?(?:great|spot on|gold|huge|brilliant)',
  'absolutely',
  'totally',
  '100 ?%',
  "couldn't agree more",
  'could not agree more',
  'well said',
  'spot on',
  'exactly',
  'amazing(?: (?:post|thread|take|point))?',
  'what an? (?:great|fantastic|brilliant|amazing|awesome) (?:post|point|take|thread|question|insight)',
  'thanks (?:so much )?for sharing(?: this)?',
  'brilliant(?: (?:point|take))?',
  'fantastic(?: (?:point|take|post))?',
  'such an? (?:great|important|good) (?:point|take|post)',
  '(?:you )?nailed it',
  'preach',
  'yes,? (?:this|exactly|absolutely)',
];

const EMOJI = '\\p{Extended_Pictographic}(?:\\uFE0F|\\u200D\\p{Extended_Pictographic}|\\p{Emoji_Modifier})*';

function openerPattern(sources: readonly string[]): RegExp {
  const alternatives = sources.join('|');
  // Opener, then at least one of: punctuation, emoji; or the end of the text.
  return new RegExp(`^(?:${alternatives})(?:(?:\\s*(?:[!.,;:\\u2014\\u2013-]+|${EMOJI}))+\\s*|\\s*$)`, 'iu');
}

const DEFAULT_PATTERN = openerPattern(SYCOPHANTIC_OPENERS);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes sycophantic openers from the start of `text`, repeatedly ("Great point! Love this.
 * ..."), and capitalises what then leads. `extra` adds caller phrases (matched literally).
 * Returns the text and the openers removed, in order.
 */
export function stripOpeners(
  text: string,
  extra: readonly string[] = [],
): { text: string; removed: string[] } {
  const pattern = extra.length
    ? openerPattern([
        ...SYCOPHANTIC_OPENERS,
        ...extra.map((e) => escapeRegExp(e.trim()).replace(/\s+/g, '\\s+')),
      ])
    : DEFAULT_PATTERN;
  const removed: string[] = [];
  let rest = text;
  for (let match = pattern.exec(rest); match && match[0].length > 0; match = pattern.exec(rest)) {
    removed.push(match[0].trim());
    rest = rest.slice(match[0].length);
  }
  if (removed.length === 0) return { text, removed };
  const first = rest.charAt(0);
  return { text: first.toUpperCase() + rest.slice(1), removed };
}

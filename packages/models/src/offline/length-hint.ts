/** A length limit stated in a prompt ("reply in under 280 characters", "at most 3 sentences"). */
export interface LengthHint {
  maxChars?: number;
  maxWords?: number;
  maxSentences?: number;
}

const UNIT = '(characters?|chars?|words?|sentences?)';
/** "under 280 characters", "at most 50 words", "no more than 2 sentences", "max 100 chars". */
const BEFORE = new RegExp(
  `\\b(under|fewer than|less than|at most|no more than|not more than|maximum of|max(?:imum)?|up to|within|in)\\s+(\\d{1,6})\\s*-?\\s*${UNIT}`,
  'gi',
);
/** "280 characters or less", "3 sentences max". */
const AFTER = new RegExp(`\\b(\\d{1,6})\\s*-?\\s*${UNIT}\\s+(or less|or fewer|max(?:imum)?|at most)`, 'gi');

function apply(hint: LengthHint, amount: number, unit: string): void {
  const key = unit.startsWith('char') ? 'maxChars' : unit.startsWith('word') ? 'maxWords' : 'maxSentences';
  const current = hint[key];
  // Several hints: the strictest wins.
  hint[key] = current === undefined ? amount : Math.min(current, amount);
}

/**
 * Reads length limits from prompt text. "Under"/"fewer than"/"less than" are strict (280 → 279
 * characters); the others are inclusive. Returns an empty hint when the text states none.
 */
export function parseLengthHint(text: string): LengthHint {
  const hint: LengthHint = {};
  for (const match of text.matchAll(BEFORE)) {
    const strict = /^(under|fewer than|less than)$/i.test(match[1]!);
    const amount = Number(match[2]) - (strict ? 1 : 0);
    if (amount > 0) apply(hint, amount, match[3]!.toLowerCase());
  }
  for (const match of text.matchAll(AFTER)) {
    const amount = Number(match[1]);
    if (amount > 0) apply(hint, amount, match[2]!.toLowerCase());
  }
  return hint;
}

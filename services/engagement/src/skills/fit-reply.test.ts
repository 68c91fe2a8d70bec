import { codePointLength, textLength } from '@forge/channel-text';
import { ForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { stripOpeners } from '../reply/openers.js';
import { fitReply } from './fit-reply.js';

const kinds = (out: { changes: { kind: string }[] }) => out.changes.map((c) => c.kind);

describe('fitReply', () => {
  it('leaves a reply that already fits untouched', () => {
    const out = fitReply({ text: 'Routing decides the bill. We moved scoring to a small model.' });
    expect(out).toEqual({
      text: 'Routing decides the bill. We moved scoring to a small model.',
      length: 60,
      limit: 280,
      changed: false,
      changes: [],
    });
  });

  it('normalises whitespace and Unicode and reports each', () => {
    const out = fitReply({ text: '  Cafe\u0301\u200B   runs\t\ton   agents.\r\n\r\n\r\n\r\nCheap.  ' });
    expect(out.text).toBe('Café runs on agents.\n\nCheap.');
    expect(kinds(out)).toEqual(['normalized-unicode', 'whitespace']);
  });

  it.each([
    ['Great point! Routing is the system.', 'Routing is the system.', ['Great point!']],
    ['Love this 🔥🔥 the model is the easy part.', 'The model is the easy part.', ['Love this 🔥🔥']],
    [
      "Couldn't agree more. Great question, honestly though: cost compounds.",
      'Honestly though: cost compounds.',
      ["Couldn't agree more.", 'Great question,'],
    ],
    ['100%! Latency compounds too.', 'Latency compounds too.', ['100%!']],
    ['This! And it stacks.', 'And it stacks.', ['This!']],
  ])('strips sycophantic openers from %j', (text, expected, removed) => {
    const out = fitReply({ text });
    expect(out.text).toBe(expected);
    expect(out.changes.filter((c) => c.kind === 'removed-opener').map((c) => c.detail)).toEqual(removed);
  });

  it.each([
    'This is how we cut the bill.',
    'Exactly how we run it: a cron and a hash check.',
    'Greatness takes routing.',
    'Absolutely none of it needs Opus.',
  ])('keeps %j, whose first words are not an opener', (text) => {
    expect(fitReply({ text }).text).toBe(text);
  });

  it('strips caller-supplied openers literally and refuses a draft that is only an opener', () => {
    expect(fitReply({ text: 'Big if true... Scheduling is code.', extraOpeners: ['big if true'] }).text).toBe(
      'Scheduling is code.',
    );
    const error = (() => {
      try {
        fitReply({ text: 'Great point! 🙌' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({ code: 'BAD_INPUT', details: { field: 'text' } });
  });

  it('drops repeated hashtags case-insensitively, keeping the first', () => {
    const out = fitReply({ text: 'Route by task #AI #agents. More #ai soon #Agents #ops' });
    expect(out.text).toBe('Route by task #AI #agents. More soon #ops');
    expect(out.changes.filter((c) => c.kind === 'deduped-hashtag').map((c) => c.detail)).toEqual([
      '#ai',
      '#Agents',
    ]);
  });

  it('cuts at the last sentence that fits when it keeps most of the limit', () => {
    const first = `${'a'.repeat(200)}.`;
    const out = fitReply({ text: `${first} B${'b'.repeat(98)} tail.` });
    expect(out.text).toBe(first);
    expect(out.changes.at(-1)?.detail).toMatch(/^cut at a sentence boundary from 307 to the limit of 280$/);
    // Lower case after the period is no sentence break to the segmenter; the word cut still
    // ends on the period and adds no ellipsis after it.
    expect(fitReply({ text: `${first} ${'b'.repeat(100)} tail.` }).text).toBe(first);
  });

  it('cuts at a word with an ellipsis when no sentence end keeps enough', () => {
    const words = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    const out = fitReply({ text: `Short. ${words}` });
    expect(out.length).toBeLessThanOrEqual(280);
    expect(out.text.endsWith('…')).toBe(true);
    expect(out.text).toMatch(/ w\d+…$/);
    expect(words.split(' ')).toContain(out.text.split(' ').at(-1)!.replace('…', ''));
  });

  it('counts code points, not UTF-16 units, and never splits an emoji sequence', () => {
    const family = '👩‍👩‍👧';
    const text = family.repeat(100);
    expect(codePointLength(family)).toBe(5);
    const out = fitReply({ text });
    expect(out.length).toBeLessThanOrEqual(280);
    expect(out.text.replace('…', '').length % family.length).toBe(0);
    expect(out.changes.at(-1)?.detail).toContain('grapheme');
    const astral = '𝔸'.repeat(280);
    expect(astral.length).toBe(560);
    expect(fitReply({ text: astral }).changed).toBe(false);
  });

  it('counts a link as 23 on X and drops a link that does not fit instead of splitting it', () => {
    const url = `https://example.com/${'p'.repeat(200)}`;
    const fits = `${'x '.repeat(128)}see ${url}`;
    expect(textLength(fits, 'x')).toBe(256 + 4 + 23);
    const out = fitReply({ text: fits });
    expect(out.text).not.toContain('https://example.com/p');
    expect(out.text.endsWith('see…')).toBe(true);
    const short = `Read ${url}`;
    expect(fitReply({ text: short })).toMatchObject({ text: short, length: 28, changed: false });
    expect(fitReply({ text: short, channel: 'bluesky' }).length).toBeLessThanOrEqual(300);
  });

  it('honours a tighter maxLength but never a looser one', () => {
    expect(fitReply({ text: 'one two three four five six', maxLength: 12 }).text).toBe('one two…');
    const long = 'word '.repeat(100);
    expect(fitReply({ text: long, maxLength: 5000 }).limit).toBe(280);
  });

  it('validates input naming the field', () => {
    expect(() => fitReply({ text: '' })).toThrow(/text/);
    expect(() => fitReply({ text: 'hi', channel: 'myspace' as 'x' })).toThrow(/channel/);
  });
});

describe('stripOpeners', () => {
  it('capitalises what leads after removal and reports nothing when nothing matched', () => {
    expect(stripOpeners('spot on — cost is routing.')).toEqual({
      text: 'Cost is routing.',
      removed: ['spot on —'],
    });
    expect(stripOpeners('Cost is routing.')).toEqual({ text: 'Cost is routing.', removed: [] });
  });
});

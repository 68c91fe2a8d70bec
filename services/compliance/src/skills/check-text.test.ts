import { POLICY_VERSION, RULES } from '@forge/text-policy';
import { describe, expect, it } from 'vitest';
import { CheckTextInput, type CheckTextOutput, checkText, checkTextHandler } from './check-text.js';

const AGE = ' 21+ only.';

function ruleIds(out: CheckTextOutput): string[] {
  return out.violations.map((v) => v.ruleId);
}

describe('checkText', () => {
  it('allows clean cannabis copy that carries its age line', () => {
    const out = checkText({
      text: `New terpene-rich flower lands Friday at our dispensary.${AGE}`,
      channel: 'instagram',
    });
    expect(out).toMatchObject({ decision: 'allow', cannabisContent: true, violations: [] });
    expect(out.policyVersion).toMatch(/^forge-policy-/);
  });

  it('allows copy that is not about cannabis without applying the cannabis rules', () => {
    const out = checkText({
      text: 'Our agents cost $500 a month and the kids at the hackathon loved it.',
      channel: 'x',
    });
    expect(out.cannabisContent).toBe(false);
    expect(out.decision).toBe('allow');
  });

  it.each([
    ['This strain cures anxiety and helps with chronic pain.', 'health-claim', 'block'],
    ['Our edibles are FDA-approved.', 'health-claim', 'block'],
    ['Cannabis with no side effects.', 'safety-claim', 'block'],
    ['The perfect weed for back-to-school season.', 'minors-appeal', 'block'],
    ['Gummies shaped like gummy bears!', 'youth-imagery', 'review'],
    ['Free pre-rolls with every order at the dispensary.', 'free-product', 'block'],
    ['Cannabis giveaway this weekend!', 'giveaway', 'review'],
    ['20% off all vapes today.', 'price-promotion', 'review'],
    ['Eighths from $25 at the dispensary.', 'price-promotion', 'review'],
    ['Wake and bake with our sativa.', 'consumption-depiction', 'review'],
    ['Grab an edible before your road trip.', 'impaired-driving', 'block'],
    ['The most potent flower in town.', 'overconsumption', 'review'],
    ['We ship nationwide: THC gummies to your door.', 'interstate-offer', 'block'],
  ])('flags %j as %s (%s)', (text, ruleId, severity) => {
    const out = checkText({ text: `${text}${AGE}`, channel: 'instagram' });
    const hit = out.violations.find((v) => v.ruleId === ruleId);
    expect(hit, `expected ${ruleId} in ${ruleIds(out).join(',')}`).toBeDefined();
    expect(hit?.severity).toBe(severity);
    expect(out.decision).toBe(severity === 'block' ? 'block' : 'needs-review');
    expect(hit?.span).not.toBeNull();
    const span = hit!.span!;
    expect(`${text}${AGE}`.slice(span.start, span.end)).toBe(hit?.excerpt);
  });

  it.each([
    'This product is not intended to diagnose, treat, cure or prevent any disease. Cannabis for adults.',
    'Keep cannabis out of reach of children and pets.',
    'Our dispensary is not for minors.',
    'Never drive high. Plan a ride before you enjoy our edibles.',
    'Properly curing flower takes two weeks.',
  ])('does not flag the protective or technical phrasing %j', (text) => {
    const out = checkText({ text: `${text}${AGE}`, channel: 'instagram' });
    expect(ruleIds(out)).toEqual([]);
    expect(out.decision).toBe('allow');
  });

  it('requires the age line only where the channel needs it', () => {
    const text = 'Fresh rosin just dropped at the dispensary.';
    const x = checkText({ text, channel: 'x' });
    expect(x.decision).toBe('needs-review');
    expect(x.violations).toEqual([
      expect.objectContaining({ ruleId: 'age-line-missing', span: null, excerpt: null }),
    ]);
    expect(checkText({ text, channel: 'blog' }).decision).toBe('allow');
    for (const line of ['Adults 21 and over.', 'Must be 21.', 'For ages 21+.', '21 years or older.']) {
      expect(checkText({ text: `${text} ${line}`, channel: 'x' }).decision).toBe('allow');
    }
  });

  it('lets the caller force or skip the cannabis rules', () => {
    const text = 'Cures insomnia overnight.';
    expect(checkText({ text, channel: 'blog' }).decision).toBe('allow');
    expect(checkText({ text, channel: 'blog', cannabisContent: true }).decision).toBe('block');
    expect(checkText({ text: `Weed that ${text}`, channel: 'blog', cannabisContent: false }).decision).toBe(
      'allow',
    );
  });

  it('catches rule words hidden with fullwidth letters or zero-width characters, with original spans', () => {
    const text = 'Our weed c\u200Bures anxiety. ｃｕｒｅ ｆｏｒ stress.';
    const out = checkText({ text, channel: 'blog' });
    const claims = out.violations.filter((v) => v.ruleId === 'health-claim');
    expect(claims.map((c) => c.excerpt)).toEqual(['c\u200Bures anxiety', 'ｃｕｒｅ ｆｏｒ stress']);
  });

  it('flags profanity by strength, including masked spellings', () => {
    expect(checkText({ text: 'That launch was f*cking great', channel: 'x' }).violations).toEqual([
      expect.objectContaining({ ruleId: 'profanity', severity: 'review', excerpt: 'f*cking' }),
    ]);
    expect(checkText({ text: 'what a motherf*cker', channel: 'x' }).decision).toBe('block');
    expect(checkText({ text: 'Scunthorpe and Dickens', channel: 'x' }).decision).toBe('allow');
  });

  it('flags disparaging a named competitor only in the same sentence', () => {
    const competitors = ['Green Leaf Co'];
    const text = 'We respect Green Leaf Co. Their rivals are terrible. Green  Leaf Co is a total scam!';
    const out = checkText({ text, channel: 'linkedin', competitors, cannabisContent: false });
    expect(out.violations).toHaveLength(1);
    expect(out.violations[0]).toMatchObject({
      ruleId: 'competitor-disparagement',
      excerpt: 'Green  Leaf Co is a total scam!',
    });
    expect(out.violations[0]?.why).toContain('"scam"');
    expect(out.decision).toBe('needs-review');
  });

  it('blocks personal e-mails and phones, allows company contacts, and never echoes them', () => {
    const text =
      'DM jane.doe@gmail.com or call (555) 123-4567. Support: help@forge.example, +1 555 987 6543.';
    const out = checkText({
      text,
      channel: 'x',
      allowedContacts: ['Help@Forge.example', '555-987-6543'],
      cannabisContent: false,
    });
    expect(ruleIds(out)).toEqual(['personal-email', 'personal-phone']);
    expect(out.violations.every((v) => v.excerpt === null)).toBe(true);
    expect(text.slice(out.violations[0]!.span!.start, out.violations[0]!.span!.end)).toBe(
      'jane.doe@gmail.com',
    );
    expect(text.slice(out.violations[1]!.span!.start, out.violations[1]!.span!.end)).toBe('(555) 123-4567');
    expect(out.decision).toBe('block');
  });

  it('does not take dates, times, prices or batch numbers for phone numbers', () => {
    const text = 'Batch 2025-06-10 at 10:30, lot 1A4FF0100000022000000123, 12 plants, order 4471.';
    expect(checkText({ text, channel: 'blog', cannabisContent: false }).violations).toEqual([]);
  });

  it('blocks credentials without echoing them', () => {
    const out = checkText({ text: 'key: sk-ant-abcdefghijklmnopqrstuvwxyz123456', channel: 'blog' });
    expect(out.violations).toEqual([expect.objectContaining({ ruleId: 'credential-leak', excerpt: null })]);
  });

  it('counts X length by code points with links as 23 and marks the overflow span', () => {
    const url = `https://example.com/${'a'.repeat(100)}`;
    const fits = `${'😀'.repeat(257)} ${url}`;
    expect(checkText({ text: fits, channel: 'x' }).length).toEqual({ counted: 281, limit: 280 });
    const exact = `${'😀'.repeat(256)} ${url}`;
    const ok = checkText({ text: exact, channel: 'x' });
    expect(ok.length.counted).toBe(280);
    expect(ok.violations).toEqual([]);
    const over = checkText({ text: fits, channel: 'x' });
    const v = over.violations.find((x) => x.ruleId === 'length-limit');
    expect(v?.severity).toBe('block');
    // 257 emoji and a space fit (258), the 23-character link does not: the overflow is the link.
    expect(fits.slice(v!.span!.start)).toBe(url);
    expect(v?.why).toContain('281 characters, the limit on x is 280');
  });

  it('blocks more than 30 hashtags on Instagram from the 31st on', () => {
    const tags = Array.from({ length: 32 }, (_, i) => `#tag${i}`).join(' ');
    const out = checkText({ text: tags, channel: 'instagram', cannabisContent: false });
    expect(out.violations).toEqual([
      expect.objectContaining({ ruleId: 'hashtag-limit', excerpt: '#tag30 #tag31' }),
    ]);
    expect(checkText({ text: tags, channel: 'x', cannabisContent: false }).violations).toEqual([]);
  });

  it('orders violations by position and caps repeats per rule', () => {
    const out = checkText({ text: 'damn '.repeat(50), channel: 'blog' });
    expect(out.violations).toHaveLength(20);
    const starts = out.violations.map((v) => v.span!.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('has unique rule ids and validates input naming the field', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(() => checkText({ text: 'hi', channel: 'myspace' as 'x' })).toThrow(/channel/);
    expect(() => checkText({ text: '', channel: 'x' })).toThrow(/text/);
  });
});

describe('check-text handler', () => {
  it('publishes a text-flagged event with rule ids only when the text is not allowed', async () => {
    const events: { kind: string; data: Record<string, unknown> }[] = [];
    const ctx = {
      emit: async (kind: string, data: Record<string, unknown>) => void events.push({ kind, data }),
    };
    const flagged = CheckTextInput.parse({ text: 'Call me at jane@gmail.com', channel: 'x' });
    await checkTextHandler(flagged, ctx);
    expect(events).toEqual([
      {
        kind: 'text-flagged',
        data: { decision: 'block', channel: 'x', policyVersion: POLICY_VERSION, rules: ['personal-email'] },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('jane');
    await checkTextHandler(CheckTextInput.parse({ text: 'Routing is the system.', channel: 'x' }), ctx);
    expect(events).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { callDeadline, TIMEOUT_HEADER } from './call-deadline.js';

describe('callDeadline (X-Stainless-Timeout)', () => {
  const now = 1_000_000;
  const at = (value: string | string[] | undefined) =>
    callDeadline(value === undefined ? {} : { [TIMEOUT_HEADER]: value }, now, 60_000) - now;

  it('takes the seconds the openai SDK sends, never past the gateway timeout; 0 counts as one second', () => {
    expect(at('10')).toBe(10_000);
    expect(at(' 2.5 ')).toBe(2_500);
    expect(at('0')).toBe(1_000);
    expect(at('600')).toBe(60_000);
    expect(at(['3', '9'])).toBe(3_000);
    expect(at(undefined)).toBe(60_000);
  });

  it('clamps what openai-node sends for no or a huge timeout: Infinity, more than nine digits', () => {
    expect(at('Infinity')).toBe(60_000);
    expect(at('1234567890123')).toBe(60_000);
    expect(at('9'.repeat(400))).toBe(60_000);
  });

  it('ignores a value that is no number of seconds: the call gets the default, never a 400', () => {
    for (const bad of ['soon', '-5', '', 'NaN', '1e3', '0x10', '-Infinity']) expect(at(bad)).toBe(60_000);
  });
});

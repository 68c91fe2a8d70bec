import { z } from 'zod';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A span of time written for people (`90s`, `30m`, `6h`, `1d`) or as milliseconds (what a parsed
 * config serialises back to), parsed to milliseconds, at most `maxMs`.
 */
export function Duration(maxMs: number) {
  return z
    .union([
      z.number().int().positive(),
      z
        .string()
        .regex(/^[1-9]\d{0,5}(s|m|h|d)$/, 'must be a duration such as 90s, 30m, 6h or 1d')
        .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS]),
    ])
    .refine((ms) => ms <= maxMs, `must be at most ${formatDuration(maxMs)}`);
}

/** `5400000` → `1h30m`; for messages. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || `${ms}ms`;
}
